/*
 * cmd_gen.c - placeholder for 'maat gen', filled in by its module's work.
 */
#include "cli.h"

int cmd_gen(int argc, char **argv)
{
  (void)argc;
  (void)argv;
  cli_error("'gen' is not built yet");
  return EXIT_FAIL;
}
