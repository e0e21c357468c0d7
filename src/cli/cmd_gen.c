/*
 * cmd_gen.c - placeholder for 'maat gen', filled in by its module's work.
 */
#include "cli.h"

int cmd_gen(int argc, char **argv)
{
  if (cmd_gen_route_wants(argc, argv))
    return cmd_gen_route(argc, argv);
  (void)argc;
  (void)argv;
  cli_error("'gen' is not built yet");
  return EXIT_FAIL;
}
