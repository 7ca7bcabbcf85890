/* Time for the C tests that bound a hang: a monotonic clock in milliseconds, a sleep, and the
 * deadline to allow. Include it after defining _POSIX_C_SOURCE (clock_gettime, nanosleep). */
#ifndef HIKPROTO_TEST_CLOCK_H
#define HIKPROTO_TEST_CLOCK_H

#include <stdlib.h>
#include <time.h>

static inline double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static inline void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* A deadline of `ms` milliseconds for a call that must not hang, multiplied by
 * $HIKPROTO_TEST_DEADLINE_SCALE when set (run-c-tests.sh sets 10 under valgrind, which runs
 * one thread at a time many times slower). The bound separates a call that returned from one
 * left to its full wait (seconds); it is never a speed measurement. */
static inline double deadline_ms(double ms) {
  const char *scale = getenv("HIKPROTO_TEST_DEADLINE_SCALE");
  double k = scale != NULL ? atof(scale) : 1.0;
  return ms * (k >= 1.0 ? k : 1.0);
}

#endif
