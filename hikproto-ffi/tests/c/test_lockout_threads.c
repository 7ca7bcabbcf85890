/* Single flight through the C ABI: 8 threads race with one wrong password, sharing one handle
 * and then each with its own handle; the simulated device counts exactly one failed login per
 * password, and every call fails with a credential error. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>

#include "check.h"

#define PASSWORD "Sim-Passw0rd!x"
#define THREADS 8
#define CALLS 8

static hikproto_device *device_for(const hikproto_sim *sim, const char *password) {
  uint16_t port = 0;
  CHECK_RESULT(hikproto_sim_device_port(sim, 0, &port), HIKPROTO_RESULT_OK);
  hikproto_device_builder *b = NULL;
  hikproto_device *dev = NULL;
  CHECK_RESULT(hikproto_device_builder_new("127.0.0.1", port, &b), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_credentials(b, "admin", password), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_timeouts_ms(b, 2000, 10000), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_build(b, &dev, NULL), HIKPROTO_RESULT_OK);
  hikproto_device_builder_free(b);
  return dev;
}

struct worker {
  const hikproto_sim *sim;
  const hikproto_device *shared; /* NULL: build an own handle with `password` */
  const char *password;
  pthread_barrier_t *start;
  int rejected, latched, other;
};

static void *work(void *arg) {
  struct worker *w = arg;
  hikproto_device *own = NULL;
  const hikproto_device *dev = w->shared;
  if (dev == NULL) {
    /* built without CHECK (not thread-safe): a failed build shows as "other" */
    uint16_t port = 0;
    hikproto_device_builder *b = NULL;
    if (hikproto_sim_device_port(w->sim, 0, &port) == HIKPROTO_RESULT_OK &&
        hikproto_device_builder_new("127.0.0.1", port, &b) == HIKPROTO_RESULT_OK &&
        hikproto_device_builder_set_credentials(b, "admin", w->password) == HIKPROTO_RESULT_OK) {
      hikproto_device_builder_build(b, &own, NULL);
    }
    hikproto_device_builder_free(b);
    dev = own;
  }
  pthread_barrier_wait(w->start);
  int calls = w->shared != NULL ? CALLS : 1;
  for (int i = 0; i < calls; i++) {
    char json[4096];
    size_t n = 0;
    hikproto_result r = dev == NULL ? HIKPROTO_RESULT_INVALID_ARGUMENT
                                    : hikproto_device_info_json(dev, json, sizeof json, &n, NULL);
    if (r == HIKPROTO_RESULT_CREDENTIALS_REJECTED) {
      w->rejected++;
    } else if (r == HIKPROTO_RESULT_CREDENTIAL_LATCHED) {
      w->latched++;
    } else {
      w->other++;
    }
  }
  hikproto_device_free(own);
  return NULL;
}

/* Runs THREADS workers; every call must be refused (by the device once, then locally). */
static void race(const hikproto_sim *sim, const hikproto_device *shared, const char *password,
                 int expected_calls) {
  pthread_t t[THREADS];
  struct worker w[THREADS];
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, THREADS);
  for (int i = 0; i < THREADS; i++) {
    w[i] = (struct worker){sim, shared, password, &start, 0, 0, 0};
    pthread_create(&t[i], NULL, work, &w[i]);
  }
  int rejected = 0, latched = 0, other = 0;
  for (int i = 0; i < THREADS; i++) {
    pthread_join(t[i], NULL);
    rejected += w[i].rejected;
    latched += w[i].latched;
    other += w[i].other;
  }
  pthread_barrier_destroy(&start);
  CHECK(other == 0);
  CHECK(rejected >= 1);
  CHECK(rejected + latched == expected_calls);
}

static void check_failed_logins(const hikproto_sim *sim, int expected) {
  char stats[4096], want[64];
  size_t n = 0;
  CHECK_RESULT(hikproto_sim_device_stats_json(sim, 0, stats, sizeof stats, &n), HIKPROTO_RESULT_OK);
  snprintf(want, sizeof want, "\"failed_logins\":%d,", expected);
  CHECK(strstr(stats, want) != NULL);
  CHECK(strstr(stats, "\"repeated_rejected_credentials\":0,") != NULL);
  if (strstr(stats, want) == NULL) {
    fprintf(stderr, "  stats: %s\n", stats);
  }
}

int main(void) {
  hikproto_sim *sim = NULL;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_sim_start(1, PASSWORD, 0, &sim, &err), HIKPROTO_RESULT_OK);
  print_error("sim start", err);
  hikproto_error_free(err);
  if (sim == NULL) {
    return finish("test_lockout_threads");
  }
  /* one handle shared by 8 threads, 8 calls each */
  hikproto_device *dev = device_for(sim, "Wr0ng-C-Shared!");
  race(sim, dev, NULL, THREADS * CALLS);
  check_failed_logins(sim, 1);
  CHECK(hikproto_device_credentials_latched(dev));
  hikproto_device_free(dev);

  /* the right password goes through at once (and lets the device tell the next unknown wrong
   * password from this one: it counts two unknown ones in a row as a repeat) */
  hikproto_device *good = device_for(sim, PASSWORD);
  char json[4096];
  size_t n = 0;
  CHECK_RESULT(hikproto_device_info_json(good, json, sizeof json, &n, NULL), HIKPROTO_RESULT_OK);
  hikproto_device_free(good);
  check_failed_logins(sim, 1);

  /* 8 threads, each with a handle of its own (the process-wide guard joins them) */
  race(sim, NULL, "Wr0ng-C-Own-Handles!", THREADS);
  check_failed_logins(sim, 2);

  hikproto_sim_free(sim);
  return finish("test_lockout_threads");
}
