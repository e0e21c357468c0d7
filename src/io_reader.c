/*
 * io_reader.c - placeholder, filled in by its module's work.
 */
#include "maat-int.h"
