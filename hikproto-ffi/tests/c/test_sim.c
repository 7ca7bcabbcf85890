/* The C ABI against a simulated site started from C: device info, raw requests, decoding,
 * rejected credentials and the lock-out, device refusals, faults, HTTPS with a pinned
 * certificate, concurrent use from threads, fleets, and stopping the site. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>

#include "check.h"

#define PASSWORD "Sim-Passw0rd!x"

static hikproto_device *device_for(const hikproto_sim *sim, size_t i, const char *password,
                                   uint32_t request_ms) {
  uint16_t port = 0;
  CHECK_RESULT(hikproto_sim_device_port(sim, i, &port, NULL), HIKPROTO_RESULT_OK);
  hikproto_device_builder *b = NULL;
  hikproto_device *dev = NULL;
  CHECK_RESULT(hikproto_device_builder_new("127.0.0.1", port, &b, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_credentials(b, "admin", password, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_timeouts_ms(b, 2000, request_ms, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_build(b, &dev, NULL), HIKPROTO_RESULT_OK);
  hikproto_device_builder_free(b);
  return dev;
}

static void test_info_and_request(const hikproto_sim *sim) {
  char serial[128], url[128], json[4096];
  size_t n = 0;
  CHECK_RESULT(hikproto_sim_device_serial(sim, 0, serial, sizeof serial, &n, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_sim_device_url(sim, 0, url, sizeof url, &n, NULL), HIKPROTO_RESULT_OK);
  CHECK(strncmp(url, "http://127.0.0.1:", 17) == 0);

  hikproto_device *dev = device_for(sim, 0, PASSWORD, 5000);
  char base[128];
  CHECK_RESULT(hikproto_device_base_url(dev, base, sizeof base, &n, NULL), HIKPROTO_RESULT_OK);
  CHECK(strcmp(base, url) == 0);

  hikproto_error *err = NULL;
  CHECK_JSON(hikproto_device_info_json, hikproto_device_info_json(dev, json, sizeof json, &n, &err), json);
  print_error("device info", err);
  hikproto_error_free(err);
  char want[160];
  snprintf(want, sizeof want, "\"serialNumber\":\"%s\"", serial);
  CHECK(strstr(json, want) != NULL);
  CHECK(strstr(json, "\"model\":\"") != NULL);
  /* too small: the needed size comes back, the buffer is untouched */
  char small[8] = "unset";
  size_t needed = 0;
  err = NULL;
  CHECK_RESULT(hikproto_device_info_json(dev, small, sizeof small, &needed, &err),
               HIKPROTO_RESULT_INSUFFICIENT_SIZE);
  CHECK(needed == n + 1 && strcmp(small, "unset") == 0);
  CHECK(err == NULL); /* a size query makes no error object */

  /* raw request */
  hikproto_response *resp = NULL;
  CHECK_RESULT(hikproto_device_request(dev, "get", "/ISAPI/System/deviceInfo", NULL, 0, NULL, 0,
                                       &resp, NULL),
               HIKPROTO_RESULT_OK);
  CHECK(hikproto_response_status(resp) == 200);
  size_t blen = hikproto_response_body_len(resp);
  CHECK(blen > 0);
  const uint8_t *data = hikproto_response_body_data(resp);
  CHECK(data != NULL);
  char ctype[128];
  CHECK_RESULT(hikproto_response_content_type(resp, ctype, sizeof ctype, &n, NULL), HIKPROTO_RESULT_OK);
  CHECK(strstr(ctype, "xml") != NULL);
  char *text = malloc(blen + 1);
  CHECK_RESULT(hikproto_response_body_text(resp, text, blen, &n, NULL),
               HIKPROTO_RESULT_INSUFFICIENT_SIZE);
  CHECK(n == blen + 1);
  CHECK_RESULT(hikproto_response_body_text(resp, text, blen + 1, &n, NULL), HIKPROTO_RESULT_OK);
  CHECK(n == blen && memcmp(text, data, blen) == 0 && strstr(text, "DeviceInfo") != NULL);
  uint8_t *bytes = malloc(blen);
  CHECK_RESULT(hikproto_response_body(resp, bytes, blen, &n, NULL), HIKPROTO_RESULT_OK);
  CHECK(n == blen && memcmp(bytes, data, blen) == 0);
  free(bytes);
  /* the body decodes to the same document */
  CHECK_JSON(hikproto_isapi_to_json, hikproto_isapi_to_json(data, blen, json, sizeof json, &n, NULL), json);
  CHECK(strstr(json, "\"typed\":true") != NULL && strstr(json, want) != NULL);
  free(text);
  hikproto_response_free(resp);

  /* an endpoint the device does not have */
  resp = NULL;
  err = NULL;
  hikproto_result r = hikproto_device_request(dev, "GET", "/ISAPI/No/Such/Thing", NULL, 0, NULL, 0,
                                              &resp, &err);
  CHECK_RESULT(r, HIKPROTO_RESULT_NOT_SUPPORTED);
  CHECK(resp == NULL && err != NULL && hikproto_error_code(err) == r);
  /* what the device said survives: HTTP 404, statusCode 4, notSupport, 0x40000001 */
  char sub[64];
  CHECK(hikproto_error_http_status(err) == 404);
  CHECK(hikproto_error_status_code(err) == 4);
  CHECK(hikproto_error_error_code(err) == 0x40000001u);
  CHECK_RESULT(hikproto_error_sub_status_code(err, sub, sizeof sub, &n), HIKPROTO_RESULT_OK);
  CHECK(strcmp(sub, "notSupport") == 0);
  hikproto_error_free(err);
  hikproto_device_free(dev);
}

static void test_wrong_password_and_lockout(const hikproto_sim *sim) {
  /* device 1 only: its lock must not disturb the other tests */
  char stats[2048];
  size_t n = 0;
  hikproto_result last = HIKPROTO_RESULT_OK;
  int rejected = 0;
  long attempts_seen = -1;
  int64_t retry_after = -1;
  for (int i = 0; i < 12 && last != HIKPROTO_RESULT_LOCKED; i++) {
    char wrong[32];
    snprintf(wrong, sizeof wrong, "Wrong-%d-pass!", i);
    hikproto_device *dev = device_for(sim, 1, wrong, 5000);
    hikproto_error *err = NULL;
    char json[4096];
    last = hikproto_device_info_json(dev, json, sizeof json, &n, &err);
    CHECK(last == HIKPROTO_RESULT_CREDENTIALS_REJECTED || last == HIKPROTO_RESULT_LOCKED);
    if (last == HIKPROTO_RESULT_CREDENTIALS_REJECTED) {
      rejected++;
      attempts_seen = (long)hikproto_error_attempts_left(err);
      CHECK(!hikproto_error_is_retryable(err));
      /* the same handle never sends the rejected password again */
      hikproto_error *again = NULL;
      CHECK_RESULT(hikproto_device_info_json(dev, json, sizeof json, &n, &again),
                   HIKPROTO_RESULT_CREDENTIAL_LATCHED);
      hikproto_error_free(again);
    } else {
      retry_after = hikproto_error_retry_after_secs(err);
    }
    char msg[512];
    CHECK_RESULT(hikproto_error_message(err, msg, sizeof msg, &n), HIKPROTO_RESULT_OK);
    CHECK(strstr(msg, "Wrong-") == NULL);
    hikproto_error_free(err);
    hikproto_device_free(dev);
  }
  CHECK(rejected >= 1);
  CHECK(last == HIKPROTO_RESULT_LOCKED);
  CHECK(retry_after != 0);
  (void)attempts_seen;
  CHECK_JSON(hikproto_sim_device_stats_json, hikproto_sim_device_stats_json(sim, 1, stats, sizeof stats, &n, NULL), stats);
  /* every failed login cost the device exactly two requests (challenge + answer), and the
   * latched retries above sent nothing at all */
  char want[64];
  snprintf(want, sizeof want, "\"requests\":%d", 2 * (rejected + 1));
  const char *at = strstr(stats, want);
  CHECK(at != NULL && (at[strlen(want)] == ',' || at[strlen(want)] == '}'));
  snprintf(want, sizeof want, "\"authFailures\":%d", rejected + 1);
  at = strstr(stats, want);
  CHECK(at != NULL && (at[strlen(want)] == ',' || at[strlen(want)] == '}'));
  CHECK(strstr(stats, "\"locks\":1") != NULL);

  /* the right password is refused while locked, then works after the lock is lifted */
  hikproto_device *good = device_for(sim, 1, PASSWORD, 5000);
  char json[4096];
  CHECK_RESULT(hikproto_device_info_json(good, json, sizeof json, &n, NULL),
               HIKPROTO_RESULT_LOCKED);
  CHECK_RESULT(hikproto_sim_device_unlock(sim, 1, NULL), HIKPROTO_RESULT_OK);
  /* the lock latched even the right password: hikproto does not hammer a locked device */
  CHECK(hikproto_device_credentials_latched(good));
  CHECK_RESULT(hikproto_device_info_json(good, json, sizeof json, &n, NULL),
               HIKPROTO_RESULT_CREDENTIAL_LATCHED);
  CHECK_RESULT(hikproto_device_clear_credential_latch(good, NULL), HIKPROTO_RESULT_OK);
  CHECK_JSON(hikproto_device_info_json, hikproto_device_info_json(good, json, sizeof json, &n, NULL), json);
  CHECK_RESULT(hikproto_device_login(good, NULL), HIKPROTO_RESULT_OK);
  CHECK_JSON(hikproto_device_get_json, hikproto_device_get_json(good, "/ISAPI/Security/userCheck", json, sizeof json, &n,
                                        NULL), json);
  CHECK(strstr(json, "\"typed\":true") != NULL);
  hikproto_device_free(good);
}

static void test_faults(const hikproto_sim *sim) {
  hikproto_device *dev = device_for(sim, 2, PASSWORD, 400);
  char json[4096];
  size_t n = 0;
  hikproto_error *err = NULL;

  CHECK_RESULT(hikproto_sim_device_set_fault(sim, 2, HIKPROTO_SIM_FAULT_HTTP_500, 0, true, NULL),
               HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_info_json(dev, json, sizeof json, &n, &err),
               HIKPROTO_RESULT_DEVICE_REFUSED);
  CHECK(hikproto_error_http_status(err) == 500);
  CHECK(hikproto_error_status_code(err) != 0);
  char sub[64];
  CHECK_RESULT(hikproto_error_sub_status_code(err, sub, sizeof sub, &n), HIKPROTO_RESULT_OK);
  CHECK(strlen(sub) > 0);
  hikproto_error_free(err);
  CHECK_RESULT(hikproto_sim_device_clear_faults(sim, 2, NULL), HIKPROTO_RESULT_OK);

  CHECK_RESULT(hikproto_sim_device_set_fault(sim, 2, HIKPROTO_SIM_FAULT_LATENCY, 1500, true, NULL),
               HIKPROTO_RESULT_OK);
  err = NULL;
  CHECK_RESULT(hikproto_device_info_json(dev, json, sizeof json, &n, &err),
               HIKPROTO_RESULT_TIMEOUT);
  CHECK(hikproto_error_is_retryable(err));
  hikproto_error_free(err);
  CHECK_RESULT(hikproto_sim_device_set_fault(sim, 2, HIKPROTO_SIM_FAULT_LATENCY, 0, false, NULL),
               HIKPROTO_RESULT_OK);

  CHECK_RESULT(hikproto_sim_device_set_fault(sim, 2, HIKPROTO_SIM_FAULT_GARBAGE_XML, 0, true, NULL),
               HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_info_json(dev, json, sizeof json, &n, NULL),
               HIKPROTO_RESULT_DECODE);
  CHECK_RESULT(hikproto_sim_device_clear_faults(sim, 2, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_sim_device_set_fault(sim, 2, 99, 0, true, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);

  CHECK_JSON(hikproto_device_info_json, hikproto_device_info_json(dev, json, sizeof json, &n, NULL), json);
  hikproto_device_free(dev);
}

struct worker {
  const hikproto_device *dev;
  int ok;
};

static void *work(void *arg) {
  struct worker *w = arg;
  for (int i = 0; i < 5; i++) {
    char json[4096];
    size_t n = 0;
    if (hikproto_device_info_json(w->dev, json, sizeof json, &n, NULL) == HIKPROTO_RESULT_OK) {
      w->ok++;
    }
  }
  return NULL;
}

static void test_threads(const hikproto_sim *sim) {
  hikproto_device *dev = device_for(sim, 0, PASSWORD, 5000);
  pthread_t t[4];
  struct worker w[4];
  for (int i = 0; i < 4; i++) {
    w[i].dev = dev;
    w[i].ok = 0;
    pthread_create(&t[i], NULL, work, &w[i]);
  }
  int ok = 0;
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    ok += w[i].ok;
  }
  CHECK(ok == 20);
  hikproto_device_free(dev);
}

static void test_fleet(const hikproto_sim *sim) {
  hikproto_fleet *fleet = NULL;
  CHECK_RESULT(hikproto_fleet_new(&fleet, NULL), HIKPROTO_RESULT_OK);
  for (size_t i = 0; i < 3; i++) {
    size_t idx = i == 1 ? 0 : i; /* device 1 is covered by the lock-out test */
    hikproto_device *dev = device_for(sim, idx, PASSWORD, 5000);
    CHECK_RESULT(hikproto_fleet_add_device(fleet, dev, NULL), HIKPROTO_RESULT_OK);
    hikproto_device_free(dev);
  }
  hikproto_device *wrong = device_for(sim, 2, "Not-the-passw0rd", 5000);
  CHECK_RESULT(hikproto_fleet_add_device(fleet, wrong, NULL), HIKPROTO_RESULT_OK);
  hikproto_device_free(wrong);

  hikproto_fleet_results *res = NULL;
  CHECK_RESULT(hikproto_fleet_get_json(fleet, "/ISAPI/System/deviceInfo", &res, NULL), HIKPROTO_RESULT_OK);
  CHECK(hikproto_fleet_results_len(res) == 4);
  CHECK(hikproto_fleet_results_ok_count(res) == 3);
  CHECK(hikproto_fleet_results_code(res, 3) == HIKPROTO_RESULT_CREDENTIALS_REJECTED);
  char json[16384];
  size_t n = 0;
  CHECK_JSON(hikproto_fleet_results_json, hikproto_fleet_results_json(res, json, sizeof json, &n, NULL), json);
  CHECK(strstr(json, "\"kind\":\"DeviceInfo\"") != NULL);
  hikproto_fleet_results_free(res);

  /* the doctor over the same fleet: every device gets a report; the one whose password was
   * rejected says so (its credentials are latched, not sent again) */
  res = NULL;
  CHECK_RESULT(hikproto_fleet_doctor(fleet, &res, NULL), HIKPROTO_RESULT_OK);
  CHECK(hikproto_fleet_results_len(res) == 4);
  CHECK(hikproto_fleet_results_ok_count(res) == 4);
  CHECK_JSON(hikproto_fleet_results_json, hikproto_fleet_results_json(res, json, sizeof json, &n, NULL), json);
  CHECK(strstr(json, "\"login.rejected\"") != NULL);
  CHECK(strstr(json, "Not-the-passw0rd") == NULL);
  hikproto_fleet_results_free(res);
  CHECK_RESULT(hikproto_fleet_doctor(fleet, NULL, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  hikproto_fleet_free(fleet);
}

static void test_https_pinned(void) {
  hikproto_sim *sim = NULL;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_sim_start(1, PASSWORD, HIKPROTO_SIM_HTTPS, &sim, &err), HIKPROTO_RESULT_OK);
  print_error("https sim", err);
  hikproto_error_free(err);
  uint16_t port = 0;
  char fp[80];
  size_t n = 0;
  CHECK_RESULT(hikproto_sim_device_https_port(sim, 0, &port, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_sim_device_cert_sha256(sim, 0, fp, sizeof fp, &n, NULL), HIKPROTO_RESULT_OK);
  CHECK(n == 64);

  hikproto_device_builder *b = NULL;
  CHECK_RESULT(hikproto_device_builder_new("127.0.0.1", port, &b, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_https(b, true, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_credentials(b, "admin", PASSWORD, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_tls_pin_sha256(b, fp, NULL), HIKPROTO_RESULT_OK);
  hikproto_device *dev = NULL;
  CHECK_RESULT(hikproto_device_builder_build(b, &dev, NULL), HIKPROTO_RESULT_OK);
  char json[4096];
  err = NULL;
  CHECK_JSON(hikproto_device_info_json, hikproto_device_info_json(dev, json, sizeof json, &n, &err), json);
  print_error("pinned https", err);
  hikproto_error_free(err);
  hikproto_device_free(dev);

  /* a different pin is refused as a TLS error; plain verification refuses a self-signed cert */
  fp[0] = fp[0] == '0' ? '1' : '0';
  CHECK_RESULT(hikproto_device_builder_set_tls_pin_sha256(b, fp, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_build(b, &dev, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_info_json(dev, json, sizeof json, &n, NULL), HIKPROTO_RESULT_TLS);
  hikproto_device_free(dev);
  CHECK_RESULT(hikproto_device_builder_set_tls_mode(b, HIKPROTO_TLS_MODE_VERIFY, NULL),
               HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_build(b, &dev, NULL), HIKPROTO_RESULT_OK);
  err = NULL;
  hikproto_result r = hikproto_device_info_json(dev, json, sizeof json, &n, &err);
  /* an untrusted (self-signed) chain is a TLS error, not a transport one, and says why */
  char msg[512];
  CHECK(r == HIKPROTO_RESULT_TLS);
  CHECK(err != NULL && hikproto_error_code(err) == HIKPROTO_RESULT_TLS);
  CHECK_RESULT(hikproto_error_message(err, msg, sizeof msg, &n), HIKPROTO_RESULT_OK);
  CHECK(strstr(msg, "certificate") != NULL);
  CHECK(!hikproto_error_is_retryable(err));
  hikproto_error_free(err);
  hikproto_device_free(dev);
  hikproto_device_builder_free(b);
  hikproto_sim_free(sim);
}

static void test_sim_arguments(void) {
  hikproto_sim *sim = NULL;
  CHECK_RESULT(hikproto_sim_start(0, PASSWORD, 0, &sim, NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_sim_start(1, PASSWORD, 0x40, &sim, NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_sim_start(1, PASSWORD, 0, NULL, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK_RESULT(hikproto_sim_start_config("/nonexistent/site.toml", &sim, NULL),
               HIKPROTO_RESULT_SIM_FAILED);
  CHECK(sim == NULL);
  CHECK(hikproto_sim_device_count(NULL) == 0);
  uint16_t port = 0;
  CHECK_RESULT(hikproto_sim_device_port(NULL, 0, &port, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  hikproto_sim_stop(NULL);
  hikproto_sim_free(NULL);
}

int main(void) {
  test_sim_arguments();

  hikproto_sim *sim = NULL;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_sim_start(3, PASSWORD, 0, &sim, &err), HIKPROTO_RESULT_OK);
  print_error("sim start", err);
  hikproto_error_free(err);
  if (sim == NULL) {
    return finish("test_sim");
  }
  CHECK(hikproto_sim_device_count(sim) == 3);
  uint16_t port = 0;
  CHECK_RESULT(hikproto_sim_device_port(sim, 3, &port, NULL), HIKPROTO_RESULT_SIM_NO_SUCH_DEVICE);
  CHECK_RESULT(hikproto_sim_device_https_port(sim, 0, &port, NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);

  test_info_and_request(sim);
  test_wrong_password_and_lockout(sim);
  test_faults(sim);
  test_threads(sim);
  test_fleet(sim);

  /* after stop the devices are gone, but the handle still answers */
  hikproto_device *dev = device_for(sim, 0, PASSWORD, 3000);
  hikproto_sim_stop(sim);
  hikproto_sim_stop(sim);
  char json[4096];
  size_t n = 0;
  CHECK_RESULT(hikproto_device_info_json(dev, json, sizeof json, &n, NULL),
               HIKPROTO_RESULT_TRANSPORT);
  CHECK_JSON(hikproto_sim_device_stats_json, hikproto_sim_device_stats_json(sim, 0, json, sizeof json, &n, NULL), json);
  hikproto_device_free(dev);
  hikproto_sim_free(sim);

  test_https_pinned();
  return finish("test_sim");
}
