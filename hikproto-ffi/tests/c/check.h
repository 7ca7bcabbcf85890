/* Minimal assertions for the hikproto C tests: each CHECK counts; main returns non-zero when
 * any failed. No test framework, so the tests build with nothing but cc and the library. */
#ifndef HIKPROTO_TEST_CHECK_H
#define HIKPROTO_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hikproto.h"

static int checks_run = 0;
static int checks_failed = 0;

#define CHECK(cond)                                                                  \
  do {                                                                               \
    checks_run++;                                                                    \
    if (!(cond)) {                                                                   \
      checks_failed++;                                                               \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);       \
    }                                                                                \
  } while (0)

/* Checks that a call returned the expected code, naming both codes when it did not. */
#define CHECK_RESULT(call, expected)                                                 \
  do {                                                                               \
    hikproto_result got_ = (call);                                                   \
    checks_run++;                                                                    \
    if (got_ != (expected)) {                                                        \
      checks_failed++;                                                               \
      fprintf(stderr, "%s:%d: %s returned %s (%u), expected %s\n", __FILE__,        \
              __LINE__, #call, hikproto_result_name(got_), (unsigned)got_,           \
              hikproto_result_name(expected));                                       \
    }                                                                                \
  } while (0)

/* Keeps one JSON result of `function` for the schema check (tests/c/check-json.py): written to
 * $HIKPROTO_TEST_JSON_DIR/<function>.<n>.json (a new n each time) when that variable is set. */
static inline void save_json(const char *function, const char *text) {
  const char *dir = getenv("HIKPROTO_TEST_JSON_DIR");
  if (dir == NULL || *dir == '\0' || text == NULL) {
    return;
  }
  char path[1024];
  for (int n = 0; n < 100000; n++) {
    snprintf(path, sizeof path, "%s/%s.%d.json", dir, function, n);
    FILE *f = fopen(path, "wx");
    if (f != NULL) {
      fputs(text, f);
      fclose(f);
      return;
    }
  }
}

/* Checks that a JSON-returning call succeeded and keeps its text for the schema check. */
#define CHECK_JSON(function, call, text)                                             \
  do {                                                                               \
    hikproto_result json_r_ = (call);                                                \
    CHECK_RESULT(json_r_, HIKPROTO_RESULT_OK);                                       \
    if (json_r_ == HIKPROTO_RESULT_OK) {                                             \
      save_json(#function, (text));                                                  \
    }                                                                                \
  } while (0)

/* Prints an error object's message (if any) to stderr. */
static inline void print_error(const char *what, const hikproto_error *err) {
  char msg[512];
  size_t n = 0;
  if (err == NULL) {
    return;
  }
  if (hikproto_error_message(err, msg, sizeof msg, &n) == HIKPROTO_RESULT_OK) {
    fprintf(stderr, "  %s: %s: %s\n", what, hikproto_result_name(hikproto_error_code(err)), msg);
  }
}

/* Ends a test program: shuts the library down (so leak checkers see nothing left) and
 * reports the count. */
static inline int finish(const char *name) {
  hikproto_shutdown();
  printf("%s: %d checks, %d failed\n", name, checks_run, checks_failed);
  return checks_failed == 0 ? 0 : 1;
}

#endif
