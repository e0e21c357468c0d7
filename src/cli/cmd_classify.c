/*
 * cmd_classify.c - placeholder for 'maat classify', filled in by its module's work.
 */
#include "cli.h"

int cmd_classify(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  cli_error("'classify' is not built yet");
  return EXIT_FAIL;
}
