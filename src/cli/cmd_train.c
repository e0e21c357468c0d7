/*
 * cmd_train.c - placeholder for 'maat train', filled in by its module's work.
 */
#include "cli.h"

int cmd_train(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  cli_error("'train' is not built yet");
  return EXIT_FAIL;
}
