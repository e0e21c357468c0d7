/*
 * cmd_eval.c - placeholder for 'maat eval', filled in by its module's work.
 */
#include "cli.h"

int cmd_eval(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  cli_error("'eval' is not built yet");
  return EXIT_FAIL;
}
