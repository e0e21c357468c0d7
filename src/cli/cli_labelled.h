/*
 * cli_labelled.h - reading labelled messages for 'maat train' and
 * 'maat eval' (defined in cmd_train.c).
 */
#ifndef MAAT_CLI_LABELLED_H
#define MAAT_CLI_LABELLED_H

#include "cli.h"

/* How the classifier commands read their input files. */
struct cli_input {
  maat_reader_opts ropts;
  bool skip_bad;
  size_t skipped; /* bad records skipped so far (with skip_bad) */
};

/*
 * Reads every record of 'path' into 'd'. Bad records are errors (printed,
 * returns false) unless 'in->skip_bad', when they are counted. Returns true
 * on success.
 */
bool cli_read_labelled(struct cli_input *in, const char *path, maat_dataset *d);

/* Parses --format's argument into 'in'; prints the error and returns false. */
bool cli_set_format(struct cli_input *in, const char *cmd, const char *arg);

#endif /* MAAT_CLI_LABELLED_H */
