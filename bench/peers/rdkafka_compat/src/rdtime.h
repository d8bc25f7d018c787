/* bench/peers/rdkafka_compat/src/rdtime.h — rd_clock() (monotonic microseconds) for
 * rdkafka_performance.c, as librdkafka's source tree defines it. */
#ifndef SLUICE_RDKAFKA_COMPAT_RDTIME_H
#define SLUICE_RDKAFKA_COMPAT_RDTIME_H
#include <stdint.h>
#include <time.h>

typedef int64_t rd_ts_t;

static inline rd_ts_t rd_clock(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (rd_ts_t)ts.tv_sec * 1000000 + (rd_ts_t)ts.tv_nsec / 1000;
}

#endif
