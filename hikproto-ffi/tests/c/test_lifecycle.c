/* The library's lifecycle from C: the log callback (records arrive, no secret among them),
 * cancelling a blocked call, a call from inside a callback failing fast, and shutdown (after
 * which calls return HIKPROTO_RESULT_SHUT_DOWN; the suite's valgrind run of this program uses
 * the default leak kinds). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>

#include "check.h"
#include "clock.h"

#define PASSWORD "Lifecycle-Passw0rd!x"

struct log_seen {
  pthread_mutex_t lock;
  int records;
  int with_target;
  int from_hikproto;
  int secrets;
  hikproto_result reentry; /* hikproto_set_log_callback from inside the callback */
};

static void on_log(void *userdata, uint32_t level, const char *target, const char *message) {
  struct log_seen *s = userdata;
  pthread_mutex_lock(&s->lock);
  s->records++;
  if (level >= HIKPROTO_LOG_ERROR && level <= HIKPROTO_LOG_TRACE && target != NULL &&
      target[0] != '\0') {
    s->with_target++;
  }
  if (target != NULL && strncmp(target, "hikproto", 8) == 0) {
    s->from_hikproto++;
  }
  if (message != NULL && strstr(message, PASSWORD) != NULL) {
    s->secrets++;
  }
  if (s->records == 1) {
    s->reentry = hikproto_set_log_callback(NULL, HIKPROTO_LOG_TRACE, NULL, NULL);
  }
  pthread_mutex_unlock(&s->lock);
}

static hikproto_device *connect_to(const hikproto_sim *sim, size_t index) {
  uint16_t port = 0;
  hikproto_device *dev = NULL;
  CHECK_RESULT(hikproto_sim_device_port(sim, index, &port, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_new("127.0.0.1", port, "admin", PASSWORD, &dev, NULL),
               HIKPROTO_RESULT_OK);
  return dev;
}

/* library-allocated results: the same text as the caller-buffer form, one request each */
static void test_allocated_strings(const hikproto_sim *sim) {
  hikproto_device *dev = connect_to(sim, 0);
  char buf[4096];
  size_t n = 0;
  char *text = NULL;
  CHECK_JSON(hikproto_device_info_json, hikproto_device_info_json(dev, buf, sizeof buf, &n, NULL), buf);
  CHECK_RESULT(hikproto_device_info_json_alloc(dev, &text, NULL), HIKPROTO_RESULT_OK);
  CHECK(text != NULL && strcmp(text, buf) == 0);
  hikproto_string_free(text);
  hikproto_string_free(NULL);
  CHECK_RESULT(hikproto_device_info_json_alloc(dev, NULL, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  /* a failure leaves *out alone */
  text = (char *)buf;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_device_get_json_alloc(dev, "/ISAPI/No/Such/Thing", &text, &err),
               HIKPROTO_RESULT_NOT_SUPPORTED);
  CHECK(text == (char *)buf && err != NULL);
  hikproto_error_free(err);
  hikproto_device_free(dev);
}

static void test_log_callback(const hikproto_sim *sim, struct log_seen *seen) {
  CHECK_RESULT(hikproto_set_log_callback(on_log, 99, seen, NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_set_log_callback(on_log, HIKPROTO_LOG_TRACE, seen, NULL), HIKPROTO_RESULT_OK);
  hikproto_device *dev = connect_to(sim, 0);
  char buf[4096];
  size_t n = 0;
  CHECK_RESULT(hikproto_device_login(dev, NULL), HIKPROTO_RESULT_OK);
  CHECK_JSON(hikproto_device_info_json, hikproto_device_info_json(dev, buf, sizeof buf, &n, NULL), buf);
  /* a wrong password logs a rejection; neither password may appear */
  hikproto_device *wrong = NULL;
  uint16_t port = 0;
  hikproto_sim_device_port(sim, 1, &port, NULL);
  CHECK_RESULT(hikproto_device_new("127.0.0.1", port, "admin", PASSWORD "-wrong", &wrong, NULL),
               HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_login(wrong, NULL), HIKPROTO_RESULT_CREDENTIALS_REJECTED);
  hikproto_device_free(wrong);
  hikproto_device_free(dev);
  CHECK_RESULT(hikproto_set_log_callback(NULL, HIKPROTO_LOG_TRACE, NULL, NULL), HIKPROTO_RESULT_OK);
  pthread_mutex_lock(&seen->lock);
  CHECK(seen->records > 0);
  CHECK(seen->with_target == seen->records);
  CHECK(seen->from_hikproto > 0);
  CHECK(seen->secrets == 0);
  CHECK_RESULT(seen->reentry, HIKPROTO_RESULT_RUNTIME);
  int after = seen->records;
  pthread_mutex_unlock(&seen->lock);
  /* removed: nothing more arrives */
  dev = connect_to(sim, 0);
  CHECK_JSON(hikproto_device_info_json, hikproto_device_info_json(dev, buf, sizeof buf, &n, NULL), buf);
  hikproto_device_free(dev);
  CHECK(seen->records == after);
}

struct blocked_call {
  hikproto_device *dev;
  hikproto_result result;
  double returned_ms;
};

static void *call_info(void *arg) {
  struct blocked_call *c = arg;
  char buf[4096];
  size_t n = 0;
  c->result = hikproto_device_info_json(c->dev, buf, sizeof buf, &n, NULL);
  c->returned_ms = now_ms();
  return NULL;
}

static void test_cancel(const hikproto_sim *sim) {
  /* every answer of device 2 takes 10 s */
  CHECK_RESULT(hikproto_sim_device_set_fault(sim, 2, HIKPROTO_SIM_FAULT_LATENCY, 10000, true, NULL),
               HIKPROTO_RESULT_OK);
  struct blocked_call c = {connect_to(sim, 2), HIKPROTO_RESULT_OK, 0};
  pthread_t th;
  pthread_create(&th, NULL, call_info, &c);
  sleep_ms(300); /* the call is waiting for the device */
  double cancelled_at = now_ms();
  hikproto_device_cancel(c.dev);
  pthread_join(th, NULL);
  CHECK_RESULT(c.result, HIKPROTO_RESULT_CANCELLED);
  CHECK(c.returned_ms - cancelled_at < deadline_ms(100.0));
  if (c.returned_ms - cancelled_at >= deadline_ms(100.0)) {
    fprintf(stderr, "  cancel took %.1f ms\n", c.returned_ms - cancelled_at);
  }
  hikproto_device_cancel(NULL);
  hikproto_device_free(c.dev);
  CHECK_RESULT(hikproto_sim_device_clear_faults(sim, 2, NULL), HIKPROTO_RESULT_OK);
}

struct reentry {
  hikproto_device *dev;
  hikproto_result result;
  double took_ms;
  int calls;
};

static void on_progress(void *userdata, size_t done, size_t total, const char *device, bool ok) {
  (void)done;
  (void)total;
  (void)device;
  (void)ok;
  struct reentry *r = userdata;
  if (r->calls++ > 0) {
    return;
  }
  char buf[4096];
  size_t n = 0;
  double t0 = now_ms();
  r->result = hikproto_device_info_json(r->dev, buf, sizeof buf, &n, NULL);
  r->took_ms = now_ms() - t0;
}

static void test_reentry(const hikproto_sim *sim) {
  struct reentry r = {connect_to(sim, 0), HIKPROTO_RESULT_OK, 0, 0};
  hikproto_fleet *fleet = NULL;
  CHECK_RESULT(hikproto_fleet_new(&fleet, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_fleet_add_device(fleet, r.dev, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_fleet_set_progress_callback(fleet, on_progress, &r, NULL), HIKPROTO_RESULT_OK);
  hikproto_fleet_results *res = NULL;
  CHECK_RESULT(hikproto_fleet_device_info(fleet, &res, NULL), HIKPROTO_RESULT_OK);
  CHECK(r.calls == 1);
  CHECK_RESULT(r.result, HIKPROTO_RESULT_RUNTIME);
  CHECK(r.took_ms < deadline_ms(100.0));
  hikproto_fleet_results_free(res);
  hikproto_fleet_free(fleet);
  hikproto_device_free(r.dev);
}

static void test_shutdown(void) {
  hikproto_device *dev = NULL;
  CHECK_RESULT(hikproto_device_new("127.0.0.1", 9, "admin", PASSWORD, &dev, NULL), HIKPROTO_RESULT_OK);
  hikproto_shutdown();
  hikproto_shutdown(); /* idempotent */
  char buf[256];
  size_t n = 0;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_device_info_json(dev, buf, sizeof buf, &n, &err), HIKPROTO_RESULT_SHUT_DOWN);
  CHECK(err != NULL && hikproto_error_code(err) == HIKPROTO_RESULT_SHUT_DOWN);
  hikproto_error_free(err);
  hikproto_device *late = NULL;
  CHECK_RESULT(hikproto_device_new("127.0.0.1", 9, NULL, NULL, &late, NULL), HIKPROTO_RESULT_SHUT_DOWN);
  CHECK(late == NULL);
  /* argument checks and frees keep working */
  CHECK_RESULT(hikproto_device_info_json(NULL, buf, sizeof buf, &n, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  hikproto_device_free(dev);
}

int main(void) {
  struct log_seen seen;
  memset(&seen, 0, sizeof seen);
  pthread_mutex_init(&seen.lock, NULL);
  hikproto_sim *sim = NULL;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_sim_start(3, PASSWORD, 0, &sim, &err), HIKPROTO_RESULT_OK);
  print_error("sim", err);
  hikproto_error_free(err);
  if (sim != NULL) {
    test_allocated_strings(sim);
    test_log_callback(sim, &seen);
    test_cancel(sim);
    test_reentry(sim);
    hikproto_sim_free(sim);
  }
  test_shutdown();
  pthread_mutex_destroy(&seen.lock);
  return finish("test_lifecycle");
}
