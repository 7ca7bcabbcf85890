/* Fleet runs from C: results in input order, per-device codes, JSON, the progress callback
 * (called from library threads), and argument checks. Devices here are closed loopback ports;
 * the simulator tests cover successful runs. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

struct progress {
  pthread_mutex_t lock;
  size_t calls;
  size_t last_total;
  size_t max_done;
};

static void on_progress(void *userdata, size_t done, size_t total, const char *device, bool ok) {
  struct progress *p = userdata;
  pthread_mutex_lock(&p->lock);
  p->calls++;
  p->last_total = total;
  if (done > p->max_done) {
    p->max_done = done;
  }
  if (ok || device == NULL || strncmp(device, "http://127.0.0.1:", 17) != 0) {
    p->calls += 1000; /* makes the count check fail */
  }
  pthread_mutex_unlock(&p->lock);
}

static uint16_t closed_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, (struct sockaddr *)&a, sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &len);
  close(fd);
  return ntohs(a.sin_port);
}

int main(void) {
  hikproto_fleet *fleet = NULL;
  CHECK_RESULT(hikproto_fleet_new(&fleet, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_fleet_new(NULL, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK_RESULT(hikproto_fleet_set_concurrency(fleet, 0, NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_fleet_set_concurrency(fleet, 2, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_fleet_set_per_host_limit(fleet, 0, NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_fleet_set_deadline_ms(fleet, 5000, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_fleet_add_device(fleet, NULL, NULL), HIKPROTO_RESULT_NULL_PARAMETER);

  struct progress p;
  memset(&p, 0, sizeof p);
  pthread_mutex_init(&p.lock, NULL);
  CHECK_RESULT(hikproto_fleet_set_progress_callback(fleet, on_progress, &p, NULL), HIKPROTO_RESULT_OK);

  const size_t n = 4;
  for (size_t i = 0; i < n; i++) {
    hikproto_device *dev = NULL;
    CHECK_RESULT(hikproto_device_new("127.0.0.1", closed_port(), "admin", "Passw0rd!x", &dev, NULL),
                 HIKPROTO_RESULT_OK);
    CHECK_RESULT(hikproto_fleet_add_device(fleet, dev, NULL), HIKPROTO_RESULT_OK);
    hikproto_device_free(dev); /* the fleet keeps its own share */
  }
  CHECK(hikproto_fleet_len(fleet) == n);

  hikproto_fleet_results *res = NULL;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_fleet_device_info(fleet, &res, &err), HIKPROTO_RESULT_OK);
  CHECK(err == NULL);
  CHECK(hikproto_fleet_results_len(res) == n);
  CHECK(hikproto_fleet_results_ok_count(res) == 0);
  for (size_t i = 0; i < n; i++) {
    CHECK(hikproto_fleet_results_code(res, i) == HIKPROTO_RESULT_TRANSPORT);
  }
  CHECK(hikproto_fleet_results_code(res, n) == HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK(hikproto_fleet_results_code(NULL, 0) == HIKPROTO_RESULT_NULL_PARAMETER);

  size_t needed = 0;
  CHECK_RESULT(hikproto_fleet_results_json(res, NULL, 0, &needed, NULL),
               HIKPROTO_RESULT_INSUFFICIENT_SIZE);
  char *json = malloc(needed);
  size_t len = 0;
  CHECK_JSON(hikproto_fleet_results_json, hikproto_fleet_results_json(res, json, needed, &len, NULL), json);
  CHECK(len + 1 == needed);
  CHECK(strstr(json, "\"index\":3") != NULL);
  CHECK(strstr(json, "\"name\":\"HIKPROTO_RESULT_TRANSPORT\"") != NULL);
  CHECK(strstr(json, "Passw0rd") == NULL);
  free(json);
  hikproto_fleet_results_free(res);

  pthread_mutex_lock(&p.lock);
  CHECK(p.calls == n);
  CHECK(p.last_total == n && p.max_done == n);
  pthread_mutex_unlock(&p.lock);
  pthread_mutex_destroy(&p.lock);

  /* get_json argument checks */
  res = NULL;
  CHECK_RESULT(hikproto_fleet_get_json(fleet, "ISAPI/System/deviceInfo", &res, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_fleet_get_json(fleet, NULL, &res, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK(res == NULL);

  /* the doctor: an unreachable device is a finding in its report, not a failed entry */
  CHECK_RESULT(hikproto_fleet_set_progress_callback(fleet, NULL, NULL, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_fleet_doctor(fleet, &res, NULL), HIKPROTO_RESULT_OK);
  CHECK(hikproto_fleet_results_len(res) == n && hikproto_fleet_results_ok_count(res) == n);
  CHECK_RESULT(hikproto_fleet_results_json(res, NULL, 0, &needed, NULL), HIKPROTO_RESULT_INSUFFICIENT_SIZE);
  json = malloc(needed);
  CHECK_JSON(hikproto_fleet_results_json, hikproto_fleet_results_json(res, json, needed, &len, NULL), json);
  CHECK(strstr(json, "\"device.unreachable\"") != NULL);
  free(json);
  hikproto_fleet_results_free(res);
  CHECK_RESULT(hikproto_fleet_doctor(NULL, &res, NULL), HIKPROTO_RESULT_NULL_PARAMETER);

  hikproto_fleet_free(fleet);
  hikproto_fleet_free(NULL);
  hikproto_fleet_results_free(NULL);
  return finish("test_fleet");
}
