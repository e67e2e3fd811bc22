/* cli.h -- what a shards program includes: the core layer in one header
 * (errors and memory, files, units, the parameter table, clocks). */
#ifndef SHARDS_CLI_H
#define SHARDS_CLI_H

#include <stdio.h>

#include "clock.h"
#include "err.h"
#include "file.h"
#include "jobs.h"
#include "params.h"
#include "units.h"

#endif
