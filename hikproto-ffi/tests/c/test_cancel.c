/* Cancelling blocked calls that are not device calls: a discovery waiting for a device that
 * never comes, a SADP command waiting for a reply that never comes, a fleet run against
 * devices that take 10 s to answer. Each must return HIKPROTO_RESULT_CANCELLED within 100 ms
 * of its cancel (a deadline for a hang, not a speed measurement; see clock.h), and the handle must work
 * again afterwards. Everything runs on loopback against simulated sites. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "check.h"
#include "clock.h"

#define PASSWORD "Cancel-Passw0rd!x"
#define CANCEL_DEADLINE_MS 100.0

/* One blocked call on its own thread: what it returned and when. */
struct blocked {
  void *handle;
  void *extra;
  hikproto_result result;
  double returned_ms;
  hikproto_fleet_results *results;
};

/* Starts `body` on a thread, lets it block, calls `cancel`, and checks the call ended with
 * CANCELLED within the deadline. */
static void cancel_blocked(const char *what, void *(*body)(void *), struct blocked *b,
                           void (*cancel)(struct blocked *)) {
  pthread_t th;
  pthread_create(&th, NULL, body, b);
  sleep_ms(500); /* the call is waiting by now */
  double cancelled_at = now_ms();
  cancel(b);
  pthread_join(th, NULL);
  CHECK_RESULT(b->result, HIKPROTO_RESULT_CANCELLED);
  double took = b->returned_ms - cancelled_at;
  CHECK(took < deadline_ms(CANCEL_DEADLINE_MS));
  printf("  %s: returned %.1f ms after the cancel\n", what, took);
}

/* --- discovery ------------------------------------------------------------------------- */

/* A discovery that asks device 0 of `sim` by unicast, after a first run that found it. */
static hikproto_discovery *discovery_of(const hikproto_sim *sim) {
  hikproto_discovery *d = NULL;
  uint16_t port = 0;
  char target[64];
  CHECK_RESULT(hikproto_discovery_new(&d, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_sim_device_sadp_port(sim, 0, &port, NULL), HIKPROTO_RESULT_OK);
  snprintf(target, sizeof target, "127.0.0.1:%u", (unsigned)port);
  CHECK_RESULT(hikproto_discovery_add_target(d, target, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_discovery_set_expect(d, 1, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_discovery_run(d, NULL), HIKPROTO_RESULT_OK);
  CHECK(hikproto_discovery_count(d) == 1);
  return d;
}

static void *run_discovery(void *arg) {
  struct blocked *b = arg;
  b->result = hikproto_discovery_run(b->handle, NULL);
  b->returned_ms = now_ms();
  return NULL;
}

static void cancel_discovery(struct blocked *b) { hikproto_discovery_cancel(b->handle); }

static void test_discovery(const hikproto_sim *sim) {
  hikproto_discovery *d = discovery_of(sim);
  /* waiting for a second device that does not exist: blocks for the 10 s timeout */
  CHECK_RESULT(hikproto_discovery_set_expect(d, 2, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_discovery_set_timeout_ms(d, 10000, NULL), HIKPROTO_RESULT_OK);
  struct blocked b = {d, NULL, HIKPROTO_RESULT_OK, 0, NULL};
  cancel_blocked("discovery", run_discovery, &b, cancel_discovery);
  /* the previous run's results stay; the handle runs again */
  CHECK(hikproto_discovery_count(d) == 1);
  CHECK_RESULT(hikproto_discovery_set_expect(d, 1, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_discovery_run(d, NULL), HIKPROTO_RESULT_OK);
  CHECK(hikproto_discovery_count(d) == 1);
  hikproto_discovery_cancel(NULL);
  hikproto_discovery_free(d);
}

/* --- SADP command ---------------------------------------------------------------------- */

static void *run_blink(void *arg) {
  struct blocked *b = arg;
  b->result = hikproto_sadp_blink(b->handle, b->extra, true, NULL);
  b->returned_ms = now_ms();
  return NULL;
}

static void cancel_sadp(struct blocked *b) { hikproto_sadp_client_cancel(b->handle); }

static void test_sadp(void) {
  /* a target found on a site that then stops: nothing answers it any more */
  hikproto_sim *sim = NULL;
  CHECK_RESULT(hikproto_sim_start(1, PASSWORD, HIKPROTO_SIM_SADP, &sim, NULL), HIKPROTO_RESULT_OK);
  if (sim == NULL) {
    return;
  }
  hikproto_discovery *d = discovery_of(sim);
  hikproto_sadp_target *t = NULL;
  CHECK_RESULT(hikproto_discovery_target(d, 0, &t, NULL), HIKPROTO_RESULT_OK);
  hikproto_discovery_free(d);
  hikproto_sadp_client *c = NULL;
  CHECK_RESULT(hikproto_sadp_client_new(10000, &c, NULL), HIKPROTO_RESULT_OK);
  if (t != NULL && c != NULL) {
    CHECK_RESULT(hikproto_sadp_blink(c, t, false, NULL), HIKPROTO_RESULT_OK); /* it answers */
    hikproto_sim_stop(sim);
    struct blocked b = {c, t, HIKPROTO_RESULT_OK, 0, NULL};
    cancel_blocked("SADP command", run_blink, &b, cancel_sadp);
  }
  hikproto_sadp_client_cancel(NULL);
  hikproto_sadp_client_free(c);
  hikproto_sadp_target_free(t);
  hikproto_sim_free(sim);
}

/* --- fleet run ------------------------------------------------------------------------- */

static void *run_fleet(void *arg) {
  struct blocked *b = arg;
  b->result = hikproto_fleet_device_info(b->handle, &b->results, NULL);
  b->returned_ms = now_ms();
  return NULL;
}

static void cancel_fleet(struct blocked *b) { hikproto_fleet_cancel(b->handle); }

static void test_fleet(const hikproto_sim *sim) {
  hikproto_fleet *fleet = NULL;
  CHECK_RESULT(hikproto_fleet_new(&fleet, NULL), HIKPROTO_RESULT_OK);
  for (size_t i = 0; i < 2; i++) {
    uint16_t port = 0;
    hikproto_device *dev = NULL;
    CHECK_RESULT(hikproto_sim_device_port(sim, i, &port, NULL), HIKPROTO_RESULT_OK);
    CHECK_RESULT(hikproto_device_new("127.0.0.1", port, "admin", PASSWORD, &dev, NULL),
                 HIKPROTO_RESULT_OK);
    CHECK_RESULT(hikproto_fleet_add_device(fleet, dev, NULL), HIKPROTO_RESULT_OK);
    hikproto_device_free(dev);
    /* every answer takes 10 s */
    CHECK_RESULT(hikproto_sim_device_set_fault(sim, i, HIKPROTO_SIM_FAULT_LATENCY, 10000, true, NULL),
                 HIKPROTO_RESULT_OK);
  }
  struct blocked b = {fleet, NULL, HIKPROTO_RESULT_OK, 0, NULL};
  cancel_blocked("fleet run", run_fleet, &b, cancel_fleet);
  CHECK(b.results == NULL);
  hikproto_fleet_results_free(b.results);
  /* a later run is not affected */
  for (size_t i = 0; i < 2; i++) {
    CHECK_RESULT(hikproto_sim_device_clear_faults(sim, i, NULL), HIKPROTO_RESULT_OK);
  }
  hikproto_fleet_results *res = NULL;
  CHECK_RESULT(hikproto_fleet_device_info(fleet, &res, NULL), HIKPROTO_RESULT_OK);
  CHECK(hikproto_fleet_results_ok_count(res) == 2);
  hikproto_fleet_results_free(res);
  hikproto_fleet_cancel(NULL);
  hikproto_fleet_free(fleet);
}

int main(void) {
  hikproto_sim *sim = NULL;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_sim_start(2, PASSWORD, HIKPROTO_SIM_SADP, &sim, &err), HIKPROTO_RESULT_OK);
  print_error("sim", err);
  hikproto_error_free(err);
  if (sim != NULL) {
    test_discovery(sim);
    test_fleet(sim);
    hikproto_sim_free(sim);
  }
  test_sadp();
  return finish("test_cancel");
}
