/* bench/peers/rdkafka_compat/src/rd.h — the few internal helpers of librdkafka's source tree that
 * its example rdkafka_performance.c uses, so the installed example builds against the installed
 * library (bench/run-kafka.sh compiles it). */
#ifndef SLUICE_RDKAFKA_COMPAT_RD_H
#define SLUICE_RDKAFKA_COMPAT_RD_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define rd_snprintf(...) snprintf(__VA_ARGS__)
#define RD_MAX(a, b) ((a) > (b) ? (a) : (b))
#define RD_MIN(a, b) ((a) < (b) ? (a) : (b))

#endif
