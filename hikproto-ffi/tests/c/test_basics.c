/* The C ABI without a device: version, result codes, NULL handling, string checks, buffer
 * sizing, builder arguments, error objects, ISAPI decoding, the SIGPIPE disposition. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdlib.h>

#include "check.h"

static void test_version(void) {
  CHECK(strcmp(hikproto_version(), HIKPROTO_VERSION) == 0);
  CHECK(hikproto_version_number() == HIKPROTO_VERSION_NUMBER);
}

static void test_describe(void) {
  char buf[256];
  size_t n = 12345;
  CHECK_RESULT(hikproto_result_describe(HIKPROTO_RESULT_TIMEOUT, buf, sizeof buf, &n),
               HIKPROTO_RESULT_OK);
  CHECK(n == strlen(buf));
  CHECK(strstr(buf, "deadline") != NULL);

  /* size query: NULL buffer, length 0 */
  size_t needed = 0;
  CHECK_RESULT(hikproto_result_describe(HIKPROTO_RESULT_TIMEOUT, NULL, 0, &needed),
               HIKPROTO_RESULT_INSUFFICIENT_SIZE);
  CHECK(needed == n + 1);

  /* one byte short: nothing written */
  char small[64];
  memset(small, 'x', sizeof small);
  size_t m = 0;
  CHECK_RESULT(hikproto_result_describe(HIKPROTO_RESULT_TIMEOUT, small, needed - 1, &m),
               HIKPROTO_RESULT_INSUFFICIENT_SIZE);
  CHECK(m == needed);
  CHECK(small[0] == 'x');

  /* exact fit */
  char *exact = malloc(needed);
  CHECK_RESULT(hikproto_result_describe(HIKPROTO_RESULT_TIMEOUT, exact, needed, &m),
               HIKPROTO_RESULT_OK);
  CHECK(m == needed - 1 && exact[m] == '\0' && strcmp(exact, buf) == 0);
  free(exact);

  /* unknown numbers still describe, and have a name */
  CHECK_RESULT(hikproto_result_describe(4242, buf, sizeof buf, &n), HIKPROTO_RESULT_OK);
  CHECK(strcmp(buf, "unknown result code") == 0);
  CHECK(strcmp(hikproto_result_name(4242), "HIKPROTO_RESULT_UNKNOWN") == 0);
  CHECK(strcmp(hikproto_result_name(HIKPROTO_RESULT_LOCKED), "HIKPROTO_RESULT_LOCKED") == 0);

  /* NULL out_n, NULL buffer with a length */
  CHECK_RESULT(hikproto_result_describe(0, buf, sizeof buf, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK_RESULT(hikproto_result_describe(0, NULL, 10, &n), HIKPROTO_RESULT_NULL_PARAMETER);

  /* bands */
  CHECK(HIKPROTO_RESULT_TRANSPORT / 100 == 2 && HIKPROTO_RESULT_CREDENTIALS_REJECTED / 100 == 3);
  CHECK(HIKPROTO_RESULT_LOCKED / 100 == 4 && HIKPROTO_RESULT_DEVICE_REFUSED / 100 == 5);
}

static void test_null_handling(void) {
  /* every _free accepts NULL */
  hikproto_device_free(NULL);
  hikproto_device_builder_free(NULL);
  hikproto_error_free(NULL);
  hikproto_response_free(NULL);

  /* getters on NULL give neutral values */
  CHECK(hikproto_error_code(NULL) == HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK(hikproto_error_http_status(NULL) == 0);
  CHECK(hikproto_error_retry_after_secs(NULL) == -1);
  CHECK(hikproto_error_attempts_left(NULL) == -1);
  CHECK(!hikproto_error_is_retryable(NULL));
  CHECK(hikproto_response_status(NULL) == 0);
  CHECK(hikproto_response_body_len(NULL) == 0);
  CHECK(hikproto_response_body_data(NULL) == NULL);

  /* constructors: NULL out, NULL host; out untouched on failure */
  hikproto_device_builder *b = (hikproto_device_builder *)0x1;
  CHECK_RESULT(hikproto_device_builder_new("10.0.0.1", 80, NULL, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK_RESULT(hikproto_device_builder_new(NULL, 80, &b, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK(b == (hikproto_device_builder *)0x1);

  hikproto_device *dev = (hikproto_device *)0x1;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_device_new(NULL, 80, "admin", "pw", &dev, &err),
               HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK(dev == (hikproto_device *)0x1);
  CHECK(err != NULL && hikproto_error_code(err) == HIKPROTO_RESULT_NULL_PARAMETER);
  char msg[128];
  size_t n = 0;
  CHECK_RESULT(hikproto_error_message(err, msg, sizeof msg, &n), HIKPROTO_RESULT_OK);
  CHECK(strstr(msg, "host") != NULL);
  hikproto_error_free(err);

  /* user without password, and the reverse */
  err = NULL;
  CHECK_RESULT(hikproto_device_new("10.0.0.1", 80, "admin", NULL, &dev, &err),
               HIKPROTO_RESULT_NULL_PARAMETER);
  hikproto_error_free(err);
  CHECK_RESULT(hikproto_device_new("10.0.0.1", 80, NULL, "pw", &dev, NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);

  /* operations on a NULL device */
  char buf[64];
  CHECK_RESULT(hikproto_device_info_json(NULL, buf, sizeof buf, &n, NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);
  hikproto_response *resp = NULL;
  CHECK_RESULT(hikproto_device_request(NULL, "GET", "/ISAPI/System/deviceInfo", NULL, 0, NULL, 0,
                                       &resp, NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK(resp == NULL);
}

static void test_strings_in(void) {
  hikproto_device_builder *b = NULL;
  const char bad_utf8[] = {(char)0xC3, (char)0x28, 0};
  CHECK_RESULT(hikproto_device_builder_new(bad_utf8, 80, &b, NULL), HIKPROTO_RESULT_INVALID_UTF8);
  CHECK(b == NULL);
  CHECK_RESULT(hikproto_device_builder_new("   ", 80, &b, NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_builder_new("10.0.0.1:81", 80, &b, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);

  CHECK_RESULT(hikproto_device_builder_new("::1", 8080, &b, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_credentials(b, "admin", bad_utf8, NULL),
               HIKPROTO_RESULT_INVALID_UTF8);
  CHECK_RESULT(hikproto_device_builder_set_credentials(b, NULL, "pw", NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK_RESULT(hikproto_device_builder_set_credentials(b, "admin", "Passw0rd!x", NULL),
               HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_tls_mode(b, 7, NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_builder_set_tls_mode(b, HIKPROTO_TLS_MODE_DANGER_ACCEPT_INVALID_CERTS, NULL),
               HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_tls_pin_sha256(b, "abcd", NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_builder_set_tls_pin_sha256(b, NULL, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK_RESULT(hikproto_device_builder_add_root_certificate_der(b, NULL, 10, NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK_RESULT(hikproto_device_builder_set_timeouts_ms(b, 500, 2000, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_https(b, true, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_max_response_bytes(b, 65536, NULL), HIKPROTO_RESULT_OK);

  hikproto_device *dev = NULL;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_device_builder_build(b, &dev, &err), HIKPROTO_RESULT_OK);
  CHECK(err == NULL);
  char url[64];
  size_t n = 0;
  CHECK_RESULT(hikproto_device_base_url(dev, url, sizeof url, &n, NULL), HIKPROTO_RESULT_OK);
  CHECK(strcmp(url, "https://[::1]:8080") == 0);
  /* the builder survives building and can build again */
  hikproto_device *dev2 = NULL;
  CHECK_RESULT(hikproto_device_builder_build(b, &dev2, NULL), HIKPROTO_RESULT_OK);
  hikproto_device_free(dev2);

  /* bad request arguments never reach the network */
  hikproto_response *resp = NULL;
  CHECK_RESULT(hikproto_device_request(dev, "PATCH", "/ISAPI/x", NULL, 0, NULL, 0, &resp, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_request(dev, "GET", "ISAPI/x", NULL, 0, NULL, 0, &resp, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_request(dev, "GET", "/ISAPI/x\r\nX: y", NULL, 0, NULL, 0, &resp,
                                       NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_request(dev, "GET", "/ISAPI/x", NULL, 0, NULL, 0x80, &resp, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_request(dev, "PUT", "/ISAPI/x", NULL, 5, NULL, 0, &resp, NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK_RESULT(hikproto_device_request(dev, "GET", "/ISAPI/x", NULL, 0, NULL, 0, NULL, NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK(resp == NULL);
  hikproto_device_free(dev);

  /* PIN mode without a fingerprint cannot build */
  CHECK_RESULT(hikproto_device_builder_set_tls_mode(b, HIKPROTO_TLS_MODE_PIN_SHA256, NULL),
               HIKPROTO_RESULT_OK);
  dev = NULL;
  CHECK_RESULT(hikproto_device_builder_build(b, &dev, &err), HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK(dev == NULL && err != NULL);
  hikproto_error_free(err);
  CHECK_RESULT(hikproto_device_builder_set_tls_pin_sha256(
                   b, "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
                      "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89", NULL),
               HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_build(b, &dev, NULL), HIKPROTO_RESULT_OK);
  hikproto_device_free(dev);
  hikproto_device_builder_free(b);
}

static void test_decode(void) {
  const char *doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<DeviceInfo version=\"2.0\" xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">"
      "<deviceName>Gate &amp; Yard</deviceName><model>DS-2CD2043G2-I</model>"
      "<serialNumber>DS-2CD2043G2-I20200101AAWRE12345678</serialNumber></DeviceInfo>";
  char out[4096];
  size_t n = 0;
  hikproto_error *err = NULL;
  CHECK_JSON(hikproto_isapi_to_json, hikproto_isapi_to_json((const uint8_t *)doc, strlen(doc), out, sizeof out, &n, &err), out);
  CHECK(err == NULL);
  CHECK(strstr(out, "\"root\":\"DeviceInfo\"") != NULL);
  CHECK(strstr(out, "\"typed\":true") != NULL);
  CHECK(strstr(out, "\"deviceName\":\"Gate & Yard\"") != NULL);

  /* the same call with a too-small buffer reports the size, then fits */
  size_t needed = 0;
  CHECK_RESULT(hikproto_isapi_to_json((const uint8_t *)doc, strlen(doc), out, 10, &needed, NULL),
               HIKPROTO_RESULT_INSUFFICIENT_SIZE);
  CHECK(needed == n + 1);

  /* JSON ResponseStatus */
  const char *js = "{\"statusCode\":4,\"statusString\":\"Invalid Operation\","
                   "\"subStatusCode\":\"invalidOperation\",\"errorCode\":1073741830}";
  CHECK_JSON(hikproto_isapi_to_json, hikproto_isapi_to_json((const uint8_t *)js, strlen(js), out, sizeof out, &n, NULL), out);
  CHECK(strstr(out, "\"root\":\"ResponseStatus\"") != NULL);
  CHECK(strstr(out, "\"subStatusCode\":\"invalidOperation\"") != NULL);

  /* an unknown document gets the generic view */
  const char *unknown = "<Foo><a>1</a><a>2</a></Foo>";
  CHECK_JSON(hikproto_isapi_to_json, hikproto_isapi_to_json((const uint8_t *)unknown, strlen(unknown), out, sizeof out,
                                      &n, NULL), out);
  CHECK(strstr(out, "\"typed\":false") != NULL && strstr(out, "[\"1\",\"2\"]") != NULL);

  /* malformed, hostile, empty */
  const char *bad[] = {"<a><b></a>", "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "", "{"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    err = NULL;
    hikproto_result r = hikproto_isapi_to_json((const uint8_t *)bad[i], strlen(bad[i]), out,
                                               sizeof out, &n, &err);
    CHECK(r == HIKPROTO_RESULT_DECODE);
    CHECK(err != NULL && hikproto_error_code(err) == r);
    hikproto_error_free(err);
  }
  /* binary garbage with NUL bytes */
  const uint8_t garbage[] = {0x00, 0xff, '<', 0x00, 'a'};
  CHECK(hikproto_isapi_to_json(garbage, sizeof garbage, out, sizeof out, &n, NULL) ==
        HIKPROTO_RESULT_DECODE);
  CHECK_RESULT(hikproto_isapi_to_json(NULL, 3, out, sizeof out, &n, NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);

  /* deep nesting is refused, not a crash */
  size_t depth = 5000;
  char *deep = malloc(depth * 7 + 1);
  char *p = deep;
  for (size_t i = 0; i < depth; i++) { memcpy(p, "<a>", 3); p += 3; }
  for (size_t i = 0; i < depth; i++) { memcpy(p, "</a>", 4); p += 4; }
  *p = 0;
  hikproto_result r = hikproto_isapi_to_json((const uint8_t *)deep, strlen(deep), out, sizeof out,
                                             &n, NULL);
  CHECK(r == HIKPROTO_RESULT_DECODE || r == HIKPROTO_RESULT_TOO_LARGE);
  free(deep);
}

/* Expects `call` to fail with `code` and an error object whose message names `word`. */
static void check_err(hikproto_result got, hikproto_error **errp, hikproto_result code,
                      const char *word) {
  hikproto_error *err = *errp;
  char msg[512];
  size_t n = 0;
  CHECK_RESULT(got, code);
  CHECK(err != NULL && hikproto_error_code(err) == code);
  CHECK(err != NULL && hikproto_error_message(err, msg, sizeof msg, &n) == HIKPROTO_RESULT_OK &&
        strstr(msg, word) != NULL);
  if (err != NULL && strstr(msg, word) == NULL) {
    fprintf(stderr, "  message: %s (wanted %s)\n", msg, word);
  }
  hikproto_error_free(err);
}

/* Setters say why they refused, and builders refuse a bad host at once. */
static void test_setters_explain(void) {
  hikproto_error *err = NULL;
  hikproto_result r;
  hikproto_device_builder *b = NULL;
  r = hikproto_device_builder_new("bad host!", 0, &b, &err);
  check_err(r, &err,
            HIKPROTO_RESULT_INVALID_ARGUMENT, "host");
  CHECK(b == NULL);
  CHECK_RESULT(hikproto_device_builder_new("192.0.2.10", 0, &b, NULL), HIKPROTO_RESULT_OK);
  err = NULL;
  r = hikproto_device_builder_set_tls_pin_sha256(b, "abcd", &err);
  check_err(r, &err,
            HIKPROTO_RESULT_INVALID_ARGUMENT, "fingerprint");
  err = NULL;
  r = hikproto_device_builder_set_tls_mode(b, 9, &err);
  check_err(r, &err,
            HIKPROTO_RESULT_INVALID_ARGUMENT, "TLS mode");
  hikproto_device_builder_free(b);

  hikproto_discovery *d = NULL;
  CHECK_RESULT(hikproto_discovery_new(&d, NULL), HIKPROTO_RESULT_OK);
  err = NULL;
  r = hikproto_discovery_add_target(d, "not an address", &err);
  check_err(r, &err,
            HIKPROTO_RESULT_INVALID_ARGUMENT, "address");
  hikproto_discovery_free(d);

  hikproto_sadp_target *t = NULL;
  CHECK_RESULT(hikproto_sadp_target_new("00:11:22:33:44:55", "127.0.0.1:37020", &t, NULL),
               HIKPROTO_RESULT_OK);
  err = NULL;
  r = hikproto_sadp_target_configure(t, "{\"noSuchField\": 1}", &err);
  check_err(r, &err,
            HIKPROTO_RESULT_INVALID_ARGUMENT, "settings_json");
  hikproto_sadp_target_free(t);
}

/* This program leaves SIGPIPE at its default: the library's first call must ignore it. */
static void test_sigpipe_default_becomes_ignored(void) {
  struct sigaction sa;
  sigaction(SIGPIPE, NULL, &sa);
  CHECK(sa.sa_handler == SIG_IGN);
}

int main(void) {
  struct sigaction sa;
  sigaction(SIGPIPE, NULL, &sa);
  CHECK(sa.sa_handler == SIG_DFL);
  test_version();
  test_describe();
  test_null_handling();
  test_strings_in();
  test_decode();
  test_setters_explain();
  test_sigpipe_default_becomes_ignored();
  return finish("test_basics");
}
