/* SADP commands from C against simulated devices on loopback (unicast only): activation, the
 * locator LED, queries, platform access and verification code, network parameters, security
 * questions and the reset by answers, the e-mail reset, the Hik-Connect app reset (refused on an
 * unbound device, done on one bound to an account), unbinding, restoring the inactive state;
 * local refusals, wrong passwords and a silent device. The ISAPI side of the same simulated
 * device confirms each change. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

#define FIRST "Sadp-Act1vate#x"
#define SECOND "Sadp-Answ3red#y"
#define THIRD "Sadp-Ma1led#zz"
#define FOURTH "Sadp-Ph0ned#ww"

static char buf[16384];
static size_t n;

/* A target for simulated device 0 of `sim`, made from a unicast discovery of it; `needle`, when
 * not NULL, must appear in the discovery results. */
static hikproto_sadp_target *discover_target(hikproto_sim *sim, const char *needle) {
  uint16_t port = 0;
  char addr[64];
  CHECK_RESULT(hikproto_sim_device_sadp_port(sim, 0, &port, NULL), HIKPROTO_RESULT_OK);
  snprintf(addr, sizeof addr, "127.0.0.1:%u", (unsigned)port);
  hikproto_discovery *d = NULL;
  CHECK_RESULT(hikproto_discovery_new(&d, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_discovery_add_target(d, addr, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_discovery_set_expect(d, 1, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_discovery_run(d, NULL), HIKPROTO_RESULT_OK);
  if (needle != NULL) {
    CHECK_JSON(hikproto_discovery_results_json, hikproto_discovery_results_json(d, buf, sizeof buf, &n, NULL), buf);
    CHECK(strstr(buf, needle) != NULL);
  }
  hikproto_sadp_target *t = NULL;
  CHECK_RESULT(hikproto_discovery_target(d, 1, &t, NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_discovery_target(d, 0, &t, NULL), HIKPROTO_RESULT_OK);
  hikproto_discovery_free(d);
  return t;
}

/* Whether the ISAPI side of device 0 accepts admin/password. */
static hikproto_result isapi_login(hikproto_sim *sim, const char *password) {
  uint16_t port = 0;
  hikproto_device *dev = NULL;
  CHECK_RESULT(hikproto_sim_device_port(sim, 0, &port, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_new("127.0.0.1", port, "admin", password, &dev, NULL),
               HIKPROTO_RESULT_OK);
  hikproto_result r = hikproto_device_info_json(dev, buf, sizeof buf, &n, NULL);
  hikproto_device_free(dev);
  return r;
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

static void test_settings(hikproto_sadp_client *c, hikproto_sadp_target *t, hikproto_sim *sim) {
  hikproto_error *err = NULL;
  /* activation: the policy first, then the device */
  CHECK_RESULT(hikproto_sadp_activate(c, t, "12345678", NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_sadp_activate(c, t, NULL, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK_RESULT(hikproto_sadp_activate(NULL, t, FIRST, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK_RESULT(hikproto_sadp_activate(c, t, FIRST, &err), HIKPROTO_RESULT_OK);
  print_error("activate", err);
  hikproto_error_free(err);
  CHECK_RESULT(isapi_login(sim, FIRST), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_sadp_activate(c, t, FIRST, NULL), HIKPROTO_RESULT_ALREADY_ACTIVATED);

  CHECK_RESULT(hikproto_sadp_blink(c, t, true, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_sadp_blink(c, t, false, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_sadp_device_code(c, t, buf, sizeof buf, &n, NULL), HIKPROTO_RESULT_OK);
  CHECK(n > 0 && strlen(buf) == n);
  CHECK_JSON(hikproto_sadp_password_reset_types_json, hikproto_sadp_password_reset_types_json(c, t, buf, sizeof buf, &n, NULL), buf);
  CHECK(buf[0] == '{' && strstr(buf, "\"securityQuestion\"") != NULL);

  /* a wrong password is a credential rejection with the attempts left */
  err = NULL;
  CHECK_RESULT(hikproto_sadp_set_platform_access(c, t, true, "Wrong-Passw0rd", &err),
               HIKPROTO_RESULT_CREDENTIALS_REJECTED);
  CHECK(err != NULL && hikproto_error_attempts_left(err) >= 0);
  hikproto_error_free(err);

  CHECK_RESULT(hikproto_sadp_set_verification_code(c, t, "abc", FIRST, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  err = NULL;
  CHECK_RESULT(hikproto_sadp_set_platform_access(c, t, true, FIRST, &err), HIKPROTO_RESULT_OK);
  print_error("platform access", err);
  hikproto_error_free(err);
  CHECK_RESULT(hikproto_sadp_set_verification_code(c, t, "Qk7m2Tz9", FIRST, NULL),
               HIKPROTO_RESULT_OK);
  uint16_t port = 0;
  hikproto_device *dev = NULL;
  CHECK_RESULT(hikproto_sim_device_port(sim, 0, &port, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_new("127.0.0.1", port, "admin", FIRST, &dev, NULL),
               HIKPROTO_RESULT_OK);
  CHECK_JSON(hikproto_device_platform_json, hikproto_device_platform_json(dev, buf, sizeof buf, &n, NULL), buf);
  CHECK(strstr(buf, "\"enabled\":true") != NULL);
  CHECK(strstr(buf, "Qk7m2Tz9") == NULL);
  hikproto_device_free(dev);

  CHECK_RESULT(hikproto_sadp_unbind(c, t, FIRST, NULL), HIKPROTO_RESULT_OK);
  CHECK_JSON(hikproto_sadp_unbind_status_json, hikproto_sadp_unbind_status_json(c, t, buf, sizeof buf, &n, NULL), buf);
  CHECK(n > 0);

  /* network parameters: unknown names refused; a change is seen by the next discovery */
  CHECK_RESULT(hikproto_sadp_update_network(c, t, "{\"gateway\":\"1.2.3.4\"}", FIRST, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  err = NULL;
  CHECK_RESULT(hikproto_sadp_update_network(c, t, "{\"ipv4Gateway\":\"127.0.0.254\"}", FIRST, &err),
               HIKPROTO_RESULT_OK);
  print_error("update network", err);
  hikproto_error_free(err);
  hikproto_sadp_target_free(discover_target(sim, "127.0.0.254"));
}

static void test_resets(hikproto_sadp_client *c, hikproto_sadp_client *plain, hikproto_sadp_target *t,
                        hikproto_sim *sim) {
  hikproto_error *err = NULL;
  uint32_t ids[3] = {1, 2, 3};
  const char *answers[3] = {"red fox", "blue whale", "green tea"};
  const char *wrong[3] = {"red fox", "blue whale", "black coffee"};
  CHECK_RESULT(hikproto_sadp_set_security_questions(c, t, ids, answers, 2, FIRST, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_sadp_set_security_questions(c, t, NULL, answers, 3, FIRST, NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK_RESULT(hikproto_sadp_set_security_questions(c, t, ids, answers, 3, FIRST, &err),
               HIKPROTO_RESULT_OK);
  print_error("set questions", err);
  hikproto_error_free(err);
  CHECK_JSON(hikproto_sadp_security_questions_json, hikproto_sadp_security_questions_json(c, t, buf, sizeof buf, &n, NULL), buf);
  CHECK(strstr(buf, "\"isSet\":true") != NULL && strstr(buf, "red fox") == NULL);

  /* a wrong answer is refused and changes nothing */
  hikproto_result r = hikproto_sadp_reset_by_answers(c, t, ids, wrong, 3, SECOND, false, NULL, NULL);
  CHECK(r != HIKPROTO_RESULT_OK);
  CHECK_RESULT(isapi_login(sim, FIRST), HIKPROTO_RESULT_OK);
  err = NULL;
  CHECK_RESULT(hikproto_sadp_reset_by_answers(c, t, ids, answers, 3, SECOND, false, NULL, &err),
               HIKPROTO_RESULT_OK);
  print_error("reset by answers", err);
  hikproto_error_free(err);
  CHECK_RESULT(isapi_login(sim, SECOND), HIKPROTO_RESULT_OK);

  /* the e-mail route: reserved address, QR payload, the code "mailed" back */
  CHECK_RESULT(hikproto_sadp_set_mailbox(c, t, "not an address", SECOND, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_sadp_set_mailbox(c, t, "owner@example.com", SECOND, NULL),
               HIKPROTO_RESULT_OK);
  char qr[4096], code[64];
  err = NULL;
  CHECK_JSON(hikproto_sadp_mail_reset_qr_json, hikproto_sadp_mail_reset_qr_json(c, t, buf, sizeof buf, &n, &err), buf);
  print_error("mail qr", err);
  hikproto_error_free(err);
  CHECK(json_string(buf, "qrCodes", qr, sizeof qr));
  CHECK_RESULT(hikproto_sim_code(HIKPROTO_SIM_CODE_MAIL, qr, code, sizeof code, &n, NULL),
               HIKPROTO_RESULT_OK);
  /* this device does not advertise codeEncrypt: the code would travel in clear, so the reset is
   * refused before anything is sent unless the client opted in */
  err = NULL;
  CHECK_RESULT(hikproto_sadp_reset_by_mail_code(c, t, code, THIRD, false, NULL, &err),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  {
    char msg[1024];
    size_t mlen = 0;
    CHECK_RESULT(hikproto_error_message(err, msg, sizeof msg, &mlen), HIKPROTO_RESULT_OK);
    CHECK(strstr(msg, "over SADP") != NULL && strstr(msg, "allow_plaintext_secrets") != NULL);
    CHECK(strstr(msg, code) == NULL);
  }
  hikproto_error_free(err);
  CHECK_RESULT(isapi_login(sim, SECOND), HIKPROTO_RESULT_OK);
  err = NULL;
  bool risky = true;
  CHECK_RESULT(hikproto_sadp_reset_by_mail_code(plain, t, code, THIRD, false, &risky, &err),
               HIKPROTO_RESULT_OK);
  CHECK(!risky);
  print_error("mail reset", err);
  hikproto_error_free(err);
  CHECK_RESULT(isapi_login(sim, THIRD), HIKPROTO_RESULT_OK);

  /* the Hik-Connect app route needs a device bound to an account: this one is not, and says
   * so; nothing changes */
  err = NULL;
  CHECK_RESULT(hikproto_sadp_phone_reset_qr_json(c, t, buf, sizeof buf, &n, &err),
               HIKPROTO_RESULT_DEVICE_REFUSED);
  char sub[64] = "";
  CHECK_RESULT(hikproto_error_sub_status_code(err, sub, sizeof sub, &n), HIKPROTO_RESULT_OK);
  CHECK(strcmp(sub, "notSetPhoneNo") == 0);
  hikproto_error_free(err);
  CHECK_RESULT(hikproto_sadp_reset_by_phone_code(plain, t, "ABCD1234", FOURTH, NULL, NULL),
               HIKPROTO_RESULT_DEVICE_REFUSED);
  CHECK_RESULT(hikproto_sim_code(HIKPROTO_SIM_CODE_APP, "payload", code, sizeof code, &n, NULL),
               HIKPROTO_RESULT_OK);
  CHECK(n == 8);
  CHECK_RESULT(hikproto_sim_code(99, "payload", code, sizeof code, &n, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(isapi_login(sim, THIRD), HIKPROTO_RESULT_OK);

  /* back to factory state */
  CHECK_RESULT(hikproto_sadp_restore_inactive(c, t, THIRD, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(isapi_login(sim, THIRD), HIKPROTO_RESULT_NOT_ACTIVATED);
}

/* The Hik-Connect app reset on a device bound to an account (a site started from a
 * configuration file): QR payload, the code the simulated app shows, a wrong code refused, the
 * right one resets. */
static void test_phone_reset(hikproto_sadp_client *c) {
  char dir[] = "/tmp/hikproto-sadp-XXXXXX";
  char config[600];
  if (mkdtemp(dir) == NULL) {
    CHECK(!"mkdtemp");
    return;
  }
  snprintf(config, sizeof config, "%s/site.toml", dir);
  FILE *f = fopen(config, "w");
  CHECK(f != NULL);
  if (f == NULL) {
    rmdir(dir);
    return;
  }
  fputs("sadp_port = 0\n"
        "[[devices]]\n"
        "activated = true\n"
        "users = [{ name = \"admin\", password = \"" FIRST "\" }]\n"
        "verification_code = \"Abc123xyz\"\n"
        "ezviz = { enabled = true, bound_account = \"installer@example.com\" }\n",
        f);
  fclose(f);
  hikproto_sim *bound = NULL;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_sim_start_config(config, &bound, &err), HIKPROTO_RESULT_OK);
  print_error("bound sim start", err);
  hikproto_error_free(err);
  unlink(config);
  rmdir(dir);
  if (bound == NULL) {
    return;
  }
  hikproto_sadp_target *t = discover_target(bound, NULL);
  char qr[4096], code[64];
  err = NULL;
  CHECK_JSON(hikproto_sadp_phone_reset_qr_json, hikproto_sadp_phone_reset_qr_json(c, t, buf, sizeof buf, &n, &err), buf);
  print_error("phone qr", err);
  hikproto_error_free(err);
  CHECK(json_string(buf, "qrCode", qr, sizeof qr));
  CHECK_RESULT(hikproto_sim_code(HIKPROTO_SIM_CODE_APP, qr, code, sizeof code, &n, NULL),
               HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_sadp_reset_by_phone_code(c, t, code, "12345678", NULL, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_sadp_reset_by_phone_code(c, t, "ZZZZ9999", FOURTH, NULL, NULL),
               HIKPROTO_RESULT_DEVICE_REFUSED);
  CHECK_RESULT(isapi_login(bound, FIRST), HIKPROTO_RESULT_OK);
  err = NULL;
  CHECK_RESULT(hikproto_sadp_reset_by_phone_code(c, t, code, FOURTH, NULL, &err), HIKPROTO_RESULT_OK);
  print_error("phone reset", err);
  hikproto_error_free(err);
  CHECK_RESULT(isapi_login(bound, FOURTH), HIKPROTO_RESULT_OK);
  hikproto_sadp_target_free(t);
  hikproto_sim_free(bound);
}

int main(void) {
  hikproto_sim *sim = NULL;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_sim_start(1, NULL, HIKPROTO_SIM_SADP, &sim, &err), HIKPROTO_RESULT_OK);
  print_error("sim start", err);
  hikproto_error_free(err);
  if (sim == NULL) {
    return finish("test_sadp");
  }
  hikproto_sadp_client *c = NULL;
  CHECK_RESULT(hikproto_sadp_client_new(0, NULL, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK_RESULT(hikproto_sadp_client_new(5000, &c, NULL), HIKPROTO_RESULT_OK);
  hikproto_sadp_target *t = discover_target(sim, NULL);
  /* a second handle on the same socket, opted in to send unsealable secrets in clear */
  hikproto_sadp_client *plain = NULL;
  CHECK_RESULT(hikproto_sadp_client_allow_plaintext_secrets(NULL, &plain, NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK_RESULT(hikproto_sadp_client_allow_plaintext_secrets(c, NULL, NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);
  CHECK_RESULT(hikproto_sadp_client_allow_plaintext_secrets(c, &plain, NULL), HIKPROTO_RESULT_OK);
  if (c != NULL && plain != NULL && t != NULL) {
    test_settings(c, t, sim);
    test_resets(c, plain, t, sim);
    test_phone_reset(plain);
  }
  hikproto_sadp_target_free(t);
  hikproto_sadp_client_free(c);
  hikproto_sadp_client_free(plain);

  /* a device that never answers: a timeout, quickly */
  hikproto_sadp_target *silent = NULL;
  CHECK_RESULT(hikproto_sadp_target_new("00:11:22:33:44:55", "127.0.0.1:9", &silent, NULL),
               HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_sadp_target_new("zz", "127.0.0.1:9", &silent, NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_sadp_target_configure(silent, "{\"bogus\":1}", NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  hikproto_sadp_client *quick = NULL;
  CHECK_RESULT(hikproto_sadp_client_new(300, &quick, NULL), HIKPROTO_RESULT_OK);
  err = NULL;
  CHECK_RESULT(hikproto_sadp_blink(quick, silent, true, &err), HIKPROTO_RESULT_TIMEOUT);
  CHECK(err != NULL && hikproto_error_is_retryable(err));
  hikproto_error_free(err);
  hikproto_sadp_client_free(quick);
  hikproto_sadp_target_free(silent);
  hikproto_sadp_client_free(NULL);
  hikproto_sadp_target_free(NULL);
  hikproto_sim_free(sim);
  return finish("test_sadp");
}
