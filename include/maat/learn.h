/*
 * maat/learn.h - the learning loop: people's approved corrections
 * (maat/store.h) become training data; 'maat retrain' builds a new model
 * from the base data plus those corrections, measures it and the model in
 * use on the same held-out set, and promotes it only when it is not
 * worse. Every model is kept in the store's registry with its data, its
 * figures and the decision, and any earlier one can be put back. A
 * running server follows the registry's model in use. docs/learning.md.
 * Included by maat.h; do not include directly.
 */
#ifndef MAAT_LEARN_H
#define MAAT_LEARN_H

#include <stddef.h>
#include <stdint.h>

#include "maat/classify.h"
#include "maat/store.h"

#ifdef __cplusplus
extern "C" {
#endif

struct maat_retrain_opts {
  const char *kind;             /* "intent" (NULL) or "tone": the corrections
                                   of that field are learnt from */
  const maat_dataset *base;     /* required, borrowed: the base data */
  const maat_dataset *holdout;  /* borrowed; NULL: every tenth base message
                                   (by a hash of its text), never trained
                                   on */
  maat_train_opts train;        /* MAAT_TRAIN_OPTS_INIT and changes */
  const char *dir;              /* required: where model files go */
  const char *data;             /* JSON describing the base data; NULL */
  double tolerance;             /* promoted when its held-out accuracy is at
                                   least the current one's minus this;
                                   0: not worse */
  int no_promote;               /* 1: register only, as a candidate */
};

struct maat_retrain_report {
  int64_t version;              /* the new model's */
  int64_t current;              /* the model in use before; 0: none */
  int promoted;
  size_t examples, corrections, holdout;
  double accuracy, macro_f1;    /* the new model on the held-out set */
  double cur_accuracy, cur_macro_f1; /* the one in use, same set; -1 none */
  char path[512];
  char decision[256];
};

/*
 * Trains, measures, registers and (when not worse) promotes a model.
 * MAAT_EINVAL for missing options, training's errors, MAAT_EIO naming
 * the file when the model cannot be written, the store's errors.
 */
int maat_retrain(maat_store *st, const struct maat_retrain_opts *o,
                 struct maat_retrain_report *r);

/*
 * Registers an existing model file as the one in use (a team's first
 * model, trained outside the loop): copied into 'dir'; its version in
 * '*version'.
 */
int maat_model_register(maat_store *st, const char *kind, const char *file,
                        const char *dir, int64_t *version);

/*
 * The model of 'kind' in use: its version and file (owned; free with
 * maat_free()), checked against its SHA-256. MAAT_ENOTFOUND when the
 * registry has none; MAAT_ECORRUPT when the file changed.
 */
int maat_model_current(maat_store *st, const char *kind, int64_t *version,
                       char **path);

/*
 * Puts model 'version' of 'kind' back in use (recorded with 'by'), any
 * earlier or later one, refused ones included when a person says so.
 */
int maat_model_rollback(maat_store *st, const char *kind, int64_t version,
                        const char *by);

/* Top-1 accuracy and macro-F1 of 'm' on 'd' (the threshold ignored). */
int maat_model_measure(const maat_model *m, const maat_dataset *d,
                       double *accuracy, double *macro_f1);

/* The meta key a running server watches: changes with every promotion
 * or rollback. */
#define MAAT_MODEL_CHANGED_KEY "model.changed"

#ifdef __cplusplus
}
#endif

#endif /* MAAT_LEARN_H */
