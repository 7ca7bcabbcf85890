/* The ISAPI recovery routes on a device handle, from C, against a simulated camera bound to a
 * Hik-Connect account (started from a configuration file): platform checks, the security
 * questions, the reserved e-mail, the GUID file, the e-mail and app codes, unbinding, reboot
 * and factory reset. Each reset is followed by a login with the new password; each route also
 * fails typed (wrong answer or code with the attempts left, a stale or invalid GUID file, a
 * weak new password refused before any request). */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define ACCOUNT "installer@example.com"
#define PW0 "Start-Passw0rd#1"
#define PW1 "Answ3red-Reset#2"
/* accepted by the standard policy; the simulated device flags the "wxyz" run as risky */
#define PW2 "Wxyz-Ma1led#3"
#define PW3 "Gu1d-Reset#4abc"
#define PW4 "App-Res3t#5wqzk"

static char buf[16384];
static size_t n;
static hikproto_sim *sim;
static uint16_t port;

/* Whether admin/password logs in on the simulated camera (a fresh handle, one login). */
static hikproto_result login_with(const char *password) {
  hikproto_device *dev = NULL;
  CHECK_RESULT(hikproto_device_new("127.0.0.1", port, "admin", password, &dev, NULL),
               HIKPROTO_RESULT_OK);
  hikproto_result r = hikproto_device_login(dev, NULL);
  hikproto_device_free(dev);
  return r;
}

/* A handle logged in as admin with `password`. */
static hikproto_device *admin(const char *password) {
  hikproto_device *dev = NULL;
  CHECK_RESULT(hikproto_device_new("127.0.0.1", port, "admin", password, &dev, NULL),
               HIKPROTO_RESULT_OK);
  return dev;
}

/* A handle without credentials for the reset routes. Their secrets cannot use the field cipher
 * (its key derives from the lost password): over plain HTTP they need the explicit opt-in, which
 * this loopback simulator is fine for. */
static hikproto_device *plaintext_anon(void) {
  hikproto_device_builder *b = NULL;
  hikproto_device *dev = NULL;
  CHECK_RESULT(hikproto_device_builder_new("127.0.0.1", port, &b, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_allow_plaintext_secrets(b, true, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_build(b, &dev, NULL), HIKPROTO_RESULT_OK);
  hikproto_device_builder_free(b);
  return dev;
}

/* Requests the simulated camera has answered so far. */
static unsigned long long requests_seen(void) {
  char stats[4096];
  size_t len = 0;
  CHECK_JSON(hikproto_sim_device_stats_json, hikproto_sim_device_stats_json(sim, 0, stats, sizeof stats, &len, NULL), stats);
  const char *p = strstr(stats, "\"requests\":");
  return p == NULL ? 0 : strtoull(p + strlen("\"requests\":"), NULL, 10);
}

/* Copies the string value of "key":"…" in `json` into `out`. */
static int json_string(const char *json, const char *key, char *out, size_t len) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\":\"", key);
  const char *p = strstr(json, pat);
  if (p == NULL) {
    return 0;
  }
  p += strlen(pat);
  size_t i = 0;
  while (p[i] != '"' && p[i] != '\0' && i + 1 < len) {
    out[i] = p[i];
    i++;
  }
  out[i] = '\0';
  return i > 0;
}

/* Checks that `err` is a device refusal with sub-status `sub` and returns its attempts left. */
static long long refused_with(hikproto_error *err, const char *sub) {
  char got[128] = "";
  size_t len = 0;
  CHECK(err != NULL);
  if (err == NULL) {
    return -2;
  }
  CHECK(hikproto_error_code(err) == HIKPROTO_RESULT_DEVICE_REFUSED);
  CHECK_RESULT(hikproto_error_sub_status_code(err, got, sizeof got, &len), HIKPROTO_RESULT_OK);
  if (strcmp(got, sub) != 0) {
    fprintf(stderr, "  sub-status %s, expected %s\n", got, sub);
  }
  CHECK(strcmp(got, sub) == 0);
  long long left = hikproto_error_attempts_left(err);
  hikproto_error_free(err);
  return left;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Waits (up to 5 s) until the camera answers `GET /SDK/activateStatus` again after a restart. */
static void wait_back(hikproto_device *dev) {
  for (int i = 0; i < 50; i++) {
    if (hikproto_device_activation_status_json(dev, buf, sizeof buf, &n, NULL) ==
        HIKPROTO_RESULT_OK) {
      return;
    }
    sleep_ms(100);
  }
  CHECK(!"the device came back within 5 s");
}

static void test_platform(hikproto_device *dev) {
  bool matches = false;
  CHECK_RESULT(hikproto_device_check_verification_code(dev, "Abc123xyz", &matches, NULL),
               HIKPROTO_RESULT_OK);
  CHECK(matches);
  matches = true;
  CHECK_RESULT(hikproto_device_check_verification_code(dev, "Wrong1234", &matches, NULL),
               HIKPROTO_RESULT_OK);
  CHECK(!matches);
  CHECK_RESULT(hikproto_device_check_verification_code(dev, "ab", &matches, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_check_verification_code(dev, "Abc123xyz", NULL, NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);

  hikproto_error *err = NULL;
  CHECK_JSON(hikproto_device_wait_until_registered,
             hikproto_device_wait_until_registered(dev, 5000, buf, sizeof buf, &n, &err), buf);
  print_error("wait registered", err);
  hikproto_error_free(err);
  CHECK(strstr(buf, "\"registerStatus\":true") != NULL);
  CHECK(strstr(buf, "Abc123xyz") == NULL);
  CHECK_RESULT(hikproto_device_wait_until_registered(dev, 0, buf, sizeof buf, &n, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  err = NULL;
  CHECK_JSON(hikproto_device_test_platform_parameters_json, hikproto_device_test_platform_parameters_json(dev, buf, sizeof buf, &n, &err), buf);
  print_error("parameter test", err);
  hikproto_error_free(err);
  CHECK(n > 0 && buf[0] == '{');
}

static void test_questions(hikproto_device *dev) {
  uint32_t ids[3] = {1, 2, 3};
  const char *answers[3] = {"red fox", "blue whale", "green tea"};
  const char *wrong[3] = {"red fox", "blue whale", "black coffee"};
  uint32_t twice[3] = {1, 1, 3};
  CHECK_RESULT(hikproto_device_set_security_questions(dev, ids, answers, 2, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_set_security_questions(dev, twice, answers, 3, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_set_security_questions(dev, ids, NULL, 3, NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK_JSON(hikproto_device_security_questions_json, hikproto_device_security_questions_json(dev, buf, sizeof buf, &n, NULL), buf);
  CHECK(strstr(buf, "\"configured\":true") == NULL);
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_device_set_security_questions(dev, ids, answers, 3, &err),
               HIKPROTO_RESULT_OK);
  print_error("set questions", err);
  hikproto_error_free(err);
  CHECK_JSON(hikproto_device_security_questions_json, hikproto_device_security_questions_json(dev, buf, sizeof buf, &n, NULL), buf);
  CHECK(strstr(buf, "\"configured\":false") == NULL && strstr(buf, "\"configured\":true") != NULL);
  CHECK(strstr(buf, "red fox") == NULL);

  /* the reset needs no credentials: a handle without any. Over plain HTTP without the opt-in
   * the answers are refused before anything is sent, with an error naming the three ways */
  hikproto_device *strict = NULL;
  CHECK_RESULT(hikproto_device_new("127.0.0.1", port, NULL, NULL, &strict, NULL), HIKPROTO_RESULT_OK);
  unsigned long long before = requests_seen();
  err = NULL;
  CHECK_RESULT(hikproto_device_reset_by_answers(strict, ids, answers, 3, PW1, false, NULL, &err),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK(requests_seen() == before);
  {
    char msg[1024];
    size_t mlen = 0;
    CHECK_RESULT(hikproto_error_message(err, msg, sizeof msg, &mlen), HIKPROTO_RESULT_OK);
    CHECK(strstr(msg, "allow_plaintext_secrets") != NULL && strstr(msg, "HTTPS") != NULL);
    CHECK(strstr(msg, PW1) == NULL);
  }
  hikproto_error_free(err);
  hikproto_device_free(strict);
  hikproto_device *anon = plaintext_anon();
  /* a weak new password is refused before anything is sent */
  before = requests_seen();
  err = NULL;
  CHECK_RESULT(hikproto_device_reset_by_answers(anon, ids, answers, 3, "12345678", false, NULL, &err),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK(err != NULL);
  hikproto_error_free(err);
  CHECK(requests_seen() == before);
  /* a wrong answer: refused, with the attempts left */
  err = NULL;
  CHECK_RESULT(hikproto_device_reset_by_answers(anon, ids, wrong, 3, PW1, false, NULL, &err),
               HIKPROTO_RESULT_DEVICE_REFUSED);
  long long left = refused_with(err, "SEQCertificateUnmatch");
  CHECK(left > 0);
  CHECK_RESULT(login_with(PW0), HIKPROTO_RESULT_OK);
  err = NULL;
  bool risky = true;
  CHECK_RESULT(hikproto_device_reset_by_answers(anon, ids, answers, 3, PW1, false, &risky, &err),
               HIKPROTO_RESULT_OK);
  CHECK(!risky);
  print_error("reset by answers", err);
  hikproto_error_free(err);
  hikproto_device_free(anon);
  CHECK_RESULT(login_with(PW1), HIKPROTO_RESULT_OK);
}

static void test_email(void) {
  hikproto_device *dev = admin(PW1);
  hikproto_device *pt = plaintext_anon();
  CHECK_RESULT(hikproto_device_set_security_email(dev, "not an address", NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_device_set_security_email(dev, "owner@example.com", &err),
               HIKPROTO_RESULT_OK);
  print_error("set e-mail", err);
  hikproto_error_free(err);
  CHECK_JSON(hikproto_device_security_email_json, hikproto_device_security_email_json(dev, buf, sizeof buf, &n, NULL), buf);
  CHECK(strstr(buf, "owner@example.com") != NULL);

  char qr[4096], code[64];
  err = NULL;
  CHECK_JSON(hikproto_device_email_reset_qr_json, hikproto_device_email_reset_qr_json(dev, buf, sizeof buf, &n, &err), buf);
  print_error("e-mail qr", err);
  hikproto_error_free(err);
  CHECK(strstr(buf, "\"kind\":\"email\"") != NULL);
  CHECK(json_string(buf, "qrText", qr, sizeof qr));
  CHECK_RESULT(hikproto_sim_code(HIKPROTO_SIM_CODE_MAIL, qr, code, sizeof code, &n, NULL),
               HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_reset_by_email_code(pt, "no", PW2, false, NULL, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_reset_by_email_code(pt, code, PW2 "\x01", false, NULL, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  err = NULL;
  CHECK_RESULT(hikproto_device_reset_by_email_code(pt, "ZZZZ9999", PW2, false, NULL, &err),
               HIKPROTO_RESULT_DEVICE_REFUSED);
  CHECK(refused_with(err, "checkCodeError") >= 0);
  CHECK_RESULT(login_with(PW1), HIKPROTO_RESULT_OK);
  err = NULL;
  bool risky = false;
  CHECK_RESULT(hikproto_device_reset_by_email_code(pt, code, PW2, false, &risky, &err),
               HIKPROTO_RESULT_OK);
  CHECK(risky); /* accepted, flagged riskPassword: the caller should ask for a stronger one */
  print_error("e-mail reset", err);
  hikproto_error_free(err);
  CHECK_RESULT(login_with(PW2), HIKPROTO_RESULT_OK);
  /* a code works once */
  err = NULL;
  CHECK(hikproto_device_reset_by_email_code(pt, code, PW1, false, NULL, &err) != HIKPROTO_RESULT_OK);
  hikproto_error_free(err);
  CHECK_RESULT(login_with(PW2), HIKPROTO_RESULT_OK);
  hikproto_device_free(pt);
  hikproto_device_free(dev);
}

static int file_exists(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f != NULL) {
    fclose(f);
  }
  return f != NULL;
}

static void test_guid(const char *dir) {
  char first[512], second[512], junk[512], sidecar[600];
  snprintf(first, sizeof first, "%s/first.guid", dir);
  snprintf(second, sizeof second, "%s/second.guid", dir);
  snprintf(junk, sizeof junk, "%s/junk.guid", dir);
  snprintf(sidecar, sizeof sidecar, "%s.hikproto.json", second);
  hikproto_device *dev = admin(PW2);
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_device_export_guid_file(dev, first, &err), HIKPROTO_RESULT_OK);
  print_error("export guid", err);
  hikproto_error_free(err);
  /* a second export replaces the first on the device */
  CHECK_RESULT(hikproto_device_export_guid_file(dev, second, NULL), HIKPROTO_RESULT_OK);
  CHECK(file_exists(second) && file_exists(sidecar));
  CHECK_JSON(hikproto_guid_file_check_json, hikproto_guid_file_check_json(second, NULL, buf, sizeof buf, &n, NULL), buf);
  hikproto_device_free(dev);

  FILE *f = fopen(junk, "wb");
  CHECK(f != NULL);
  if (f != NULL) {
    fputs("hello", f);
    fclose(f);
  }
  hikproto_device *anon = plaintext_anon();
  unsigned long long before = requests_seen();
  CHECK_RESULT(hikproto_device_reset_with_guid_file(anon, junk, PW3, false, NULL, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_reset_with_guid_file(anon, second, "admin", false, NULL, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK(requests_seen() == before);
  err = NULL;
  CHECK_RESULT(hikproto_device_reset_with_guid_file(anon, first, PW3, false, NULL, &err),
               HIKPROTO_RESULT_DEVICE_REFUSED);
  CHECK(refused_with(err, "GUIDFileDataUnmatch") > 0);
  CHECK_RESULT(login_with(PW2), HIKPROTO_RESULT_OK);
  err = NULL;
  CHECK_RESULT(hikproto_device_reset_with_guid_file(anon, second, PW3, false, NULL, &err),
               HIKPROTO_RESULT_OK);
  print_error("guid reset", err);
  hikproto_error_free(err);
  hikproto_device_free(anon);
  CHECK_RESULT(login_with(PW3), HIKPROTO_RESULT_OK);
  unlink(first);
  unlink(second);
  unlink(sidecar);
  snprintf(sidecar, sizeof sidecar, "%s.hikproto.json", first);
  unlink(sidecar);
  unlink(junk);
}

static void test_app(void) {
  hikproto_device *anon = plaintext_anon();
  char code[64];
  /* no payload shown yet: the simulated app has nothing to scan */
  CHECK_RESULT(hikproto_sim_device_app_reset_code(sim, 0, ACCOUNT, code, sizeof code, &n, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  hikproto_error *err = NULL;
  CHECK_JSON(hikproto_device_app_reset_qr_json, hikproto_device_app_reset_qr_json(anon, buf, sizeof buf, &n, &err), buf);
  print_error("app qr", err);
  hikproto_error_free(err);
  CHECK(strstr(buf, "\"kind\":\"hikConnectApp\"") != NULL && strstr(buf, "\"qrText\":\"") != NULL);
  /* only the bound account's app gets a code */
  CHECK_RESULT(hikproto_sim_device_app_reset_code(sim, 0, "stranger@example.com", code,
                                                  sizeof code, &n, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_sim_device_app_reset_code(sim, 0, ACCOUNT, code, sizeof code, &n, NULL),
               HIKPROTO_RESULT_OK);
  CHECK(n >= 4);
  err = NULL;
  CHECK_RESULT(hikproto_device_reset_by_app_code(anon, "ZZZZ9999", PW4, false, NULL, &err),
               HIKPROTO_RESULT_DEVICE_REFUSED);
  CHECK(refused_with(err, "checkCodeError") >= 0);
  unsigned long long before = requests_seen();
  CHECK_RESULT(hikproto_device_reset_by_app_code(anon, code, "password", false, NULL, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK(requests_seen() == before);
  CHECK_RESULT(login_with(PW3), HIKPROTO_RESULT_OK);
  err = NULL;
  CHECK_RESULT(hikproto_device_reset_by_app_code(anon, code, PW4, true, NULL, &err), HIKPROTO_RESULT_OK);
  print_error("app reset", err);
  hikproto_error_free(err);
  CHECK_RESULT(login_with(PW4), HIKPROTO_RESULT_OK);

  /* unbound, the route is not configured any more */
  hikproto_device *dev = admin(PW4);
  err = NULL;
  CHECK_RESULT(hikproto_device_unbind_platform(dev, &err), HIKPROTO_RESULT_OK);
  print_error("unbind", err);
  hikproto_error_free(err);
  err = NULL;
  CHECK_RESULT(hikproto_device_app_reset_qr_json(anon, buf, sizeof buf, &n, &err),
               HIKPROTO_RESULT_DEVICE_REFUSED);
  refused_with(err, "notSetPhoneNo");
  hikproto_device_free(dev);
  hikproto_device_free(anon);
}

static void test_restarts(void) {
  hikproto_device *dev = admin(PW4);
  /* a reboot voids a pending e-mail code */
  char qr[4096], code[64];
  CHECK_JSON(hikproto_device_email_reset_qr_json, hikproto_device_email_reset_qr_json(dev, buf, sizeof buf, &n, NULL), buf);
  CHECK(json_string(buf, "qrText", qr, sizeof qr));
  CHECK_RESULT(hikproto_sim_code(HIKPROTO_SIM_CODE_MAIL, qr, code, sizeof code, &n, NULL),
               HIKPROTO_RESULT_OK);
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_device_reboot(dev, &err), HIKPROTO_RESULT_OK);
  print_error("reboot", err);
  hikproto_error_free(err);
  wait_back(dev);
  hikproto_device *pt = plaintext_anon();
  err = NULL;
  hikproto_result voided = hikproto_device_reset_by_email_code(pt, code, PW1, false, NULL, &err);
  CHECK(voided != HIKPROTO_RESULT_OK && voided != HIKPROTO_RESULT_INVALID_ARGUMENT);
  hikproto_error_free(err);
  hikproto_device_free(pt);
  CHECK_RESULT(login_with(PW4), HIKPROTO_RESULT_OK);

  CHECK_RESULT(hikproto_device_factory_reset(dev, "no way!", NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_factory_reset(dev, NULL, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  err = NULL;
  CHECK_RESULT(hikproto_device_factory_reset(dev, "basic", &err), HIKPROTO_RESULT_OK);
  print_error("factory reset basic", err);
  hikproto_error_free(err);
  wait_back(dev);
  CHECK_RESULT(login_with(PW4), HIKPROTO_RESULT_OK);
  err = NULL;
  CHECK_RESULT(hikproto_device_factory_reset(dev, "full", &err), HIKPROTO_RESULT_OK);
  print_error("factory reset full", err);
  hikproto_error_free(err);
  wait_back(dev);
  CHECK(strstr(buf, "\"activated\":false") != NULL);
  CHECK_RESULT(login_with(PW4), HIKPROTO_RESULT_NOT_ACTIVATED);
  hikproto_device_free(dev);
}

/* the recovery plan: every route with its provenance; the questions route, whose request is
 * inferred, is marked unverified; a library-allocated copy is the same text */
static void test_plan(hikproto_device *dev) {
  char *text = NULL;
  CHECK_JSON(hikproto_device_recovery_plan_json,
             hikproto_device_recovery_plan_json(dev, buf, sizeof buf, &n, NULL), buf);
  CHECK(strstr(buf, "\"method\":\"securityQuestions\"") != NULL);
  CHECK(strstr(buf, "\"provenance\":\"inferred\"") != NULL);
  CHECK(strstr(buf, "\"unverified\":true") != NULL);
  CHECK_JSON(hikproto_device_recovery_plan_json,
             hikproto_device_recovery_plan_json_alloc(dev, &text, NULL), text);
  CHECK(text != NULL && strstr(text, "\"routes\":[") != NULL);
  hikproto_string_free(text);
}

int main(void) {
  char dir[] = "/tmp/hikproto-recovery-XXXXXX";
  if (mkdtemp(dir) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  char config[600];
  snprintf(config, sizeof config, "%s/site.toml", dir);
  FILE *f = fopen(config, "w");
  if (f == NULL) {
    perror("config");
    return 1;
  }
  fputs("[[devices]]\n"
        "activated = true\n"
        "users = [{ name = \"admin\", password = \"" PW0 "\" }]\n"
        "verification_code = \"Abc123xyz\"\n"
        "ezviz = { enabled = true, bound_account = \"" ACCOUNT "\" }\n"
        "reboot_ms = 200\n"
        "personality = { risky_passwords = \"warn\" }\n",
        f);
  fclose(f);

  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_sim_start_config(config, &sim, &err), HIKPROTO_RESULT_OK);
  print_error("sim start", err);
  hikproto_error_free(err);
  unlink(config);
  if (sim != NULL) {
    CHECK_RESULT(hikproto_sim_device_port(sim, 0, &port, NULL), HIKPROTO_RESULT_OK);
    hikproto_device *dev = admin(PW0);
    test_platform(dev);
    test_questions(dev);
    test_plan(dev);
    hikproto_device_free(dev);
    test_email();
    test_guid(dir);
    test_app();
    test_restarts();
    /* NULL handles */
    CHECK_RESULT(hikproto_device_reboot(NULL, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
    CHECK_RESULT(hikproto_sim_device_app_reset_code(NULL, 0, ACCOUNT, buf, sizeof buf, &n, NULL),
                 HIKPROTO_RESULT_NULL_PARAMETER);
    hikproto_sim_free(sim);
  }
  rmdir(dir);
  return finish("test_recovery_isapi");
}
