/* SADP discovery from C, by unicast to a simulated site's loopback responders (nothing is sent
 * to multicast or broadcast): devices found, their identity matches the ISAPI side, JSON
 * sizing, a silent target, argument checks. */
#include <stdlib.h>

#include "check.h"

int main(void) {
  hikproto_discovery *d = NULL;
  CHECK_RESULT(hikproto_discovery_new(NULL, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK_RESULT(hikproto_discovery_new(&d, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_discovery_add_target(d, "not an address", NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_discovery_add_target(d, NULL, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK_RESULT(hikproto_discovery_set_timeout_ms(d, 0, NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK(hikproto_discovery_count(d) == 0);

  hikproto_sim *sim = NULL;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_sim_start(3, "Sadp-Passw0rd!x", HIKPROTO_SIM_SADP, &sim, &err),
               HIKPROTO_RESULT_OK);
  print_error("sim start", err);
  hikproto_error_free(err);
  if (sim == NULL) {
    hikproto_discovery_free(d);
    return finish("test_discovery");
  }
  uint16_t port = 0;
  char target[64];
  for (size_t i = 0; i < 3; i++) {
    CHECK_RESULT(hikproto_sim_device_sadp_port(sim, i, &port, NULL), HIKPROTO_RESULT_OK);
    snprintf(target, sizeof target, "127.0.0.1:%u", (unsigned)port);
    CHECK_RESULT(hikproto_discovery_add_target(d, target, NULL), HIKPROTO_RESULT_OK);
  }
  CHECK_RESULT(hikproto_sim_device_sadp_port(sim, 3, &port, NULL), HIKPROTO_RESULT_SIM_NO_SUCH_DEVICE);
  CHECK_RESULT(hikproto_discovery_set_timeout_ms(d, 3000, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_discovery_set_expect(d, 3, NULL), HIKPROTO_RESULT_OK);
  err = NULL;
  CHECK_RESULT(hikproto_discovery_run(d, &err), HIKPROTO_RESULT_OK);
  print_error("discovery", err);
  hikproto_error_free(err);
  CHECK(hikproto_discovery_count(d) == 3);

  size_t needed = 0;
  CHECK_RESULT(hikproto_discovery_results_json(d, NULL, 0, &needed, NULL),
               HIKPROTO_RESULT_INSUFFICIENT_SIZE);
  char *json = malloc(needed);
  size_t n = 0;
  CHECK_JSON(hikproto_discovery_results_json, hikproto_discovery_results_json(d, json, needed, &n, NULL), json);
  for (size_t i = 0; i < 3; i++) {
    char serial[128];
    CHECK_RESULT(hikproto_sim_device_serial(sim, i, serial, sizeof serial, &n, NULL), HIKPROTO_RESULT_OK);
    CHECK(strstr(json, serial) != NULL);
  }
  CHECK(strstr(json, "Sadp-Passw0rd") == NULL);
  free(json);
  hikproto_discovery_free(d);

  /* a target that never answers: an empty result, not an error */
  hikproto_sim_stop(sim);
  d = NULL;
  CHECK_RESULT(hikproto_discovery_new(&d, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_discovery_add_target(d, target, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_discovery_set_timeout_ms(d, 300, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_discovery_run(d, NULL), HIKPROTO_RESULT_OK);
  CHECK(hikproto_discovery_count(d) == 0);
  char empty[8];
  CHECK_JSON(hikproto_discovery_results_json, hikproto_discovery_results_json(d, empty, sizeof empty, &n, NULL), empty);
  CHECK(strcmp(empty, "[]") == 0);
  hikproto_discovery_free(d);
  hikproto_sim_free(sim);

  /* a site without SADP has no SADP port */
  sim = NULL;
  CHECK_RESULT(hikproto_sim_start(1, NULL, 0, &sim, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_sim_device_sadp_port(sim, 0, &port, NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  hikproto_sim_free(sim);
  hikproto_discovery_free(NULL);
  return finish("test_discovery");
}
