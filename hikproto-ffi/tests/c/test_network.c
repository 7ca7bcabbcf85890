/* ISUP (Ehome), network/DNS and time/NTP from C against a simulated camera: reads, read-modify-
 * write changes that the device keeps, local refusals before anything is sent, and the ISUP
 * key never coming back. */
#include "check.h"

#define PASSWORD "Passw0rd!x"
#define ISUP_KEY "isupKey-2024x"

static void test_isup(hikproto_device *dev, hikproto_device *opted_in) {
  char json[8192];
  size_t n = 0;
  hikproto_error *err = NULL;
  CHECK_JSON(hikproto_device_isup_json, hikproto_device_isup_json(dev, 0, json, sizeof json, &n, &err), json);
  print_error("isup", err);
  hikproto_error_free(err);
  CHECK(json[0] == '{' && strstr(json, "\"portNo\"") != NULL);

  /* refused locally: unknown setting, short key, privileged port */
  err = NULL;
  CHECK_RESULT(hikproto_device_set_isup(dev, 0, "{\"enable\":true}", NULL, NULL, &err),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK(err != NULL);
  hikproto_error_free(err);
  CHECK_RESULT(hikproto_device_set_isup(dev, 0, NULL, "short", NULL, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_set_isup(dev, 0, "{\"port\":80}", NULL, NULL, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_set_isup(NULL, 0, NULL, NULL, NULL, NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);

  /* no field cipher covers the ISUP key: over plain HTTP it is refused before anything is
   * written, naming the ways out, and sent on the explicit opt-in */
  bool reboot = true;
  err = NULL;
  CHECK_RESULT(hikproto_device_set_isup(
                   dev, 0,
                   "{\"enabled\":true,\"host\":\"192.0.2.50\",\"port\":7661,\"deviceId\":\"cam01\"}",
                   ISUP_KEY, &reboot, &err),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  {
    char msg[1024];
    size_t mlen = 0;
    CHECK_RESULT(hikproto_error_message(err, msg, sizeof msg, &mlen), HIKPROTO_RESULT_OK);
    CHECK(strstr(msg, "allow_plaintext_secrets") != NULL && strstr(msg, ISUP_KEY) == NULL);
  }
  hikproto_error_free(err);
  CHECK_RESULT(hikproto_device_isup_json(dev, 0, json, sizeof json, &n, NULL), HIKPROTO_RESULT_OK);
  CHECK(strstr(json, "\"deviceId\":\"cam01\"") == NULL);
  err = NULL;
  CHECK_RESULT(hikproto_device_set_isup(
                   opted_in, 0,
                   "{\"enabled\":true,\"host\":\"192.0.2.50\",\"port\":7661,\"deviceId\":\"cam01\"}",
                   ISUP_KEY, &reboot, &err),
               HIKPROTO_RESULT_OK);
  print_error("set isup", err);
  hikproto_error_free(err);
  CHECK_JSON(hikproto_device_isup_json, hikproto_device_isup_json(dev, 0, json, sizeof json, &n, NULL), json);
  CHECK(strstr(json, "\"enabled\":true") != NULL);
  CHECK(strstr(json, "\"ipAddress\":\"192.0.2.50\"") != NULL);
  CHECK(strstr(json, "\"portNo\":7661") != NULL);
  CHECK(strstr(json, "\"deviceId\":\"cam01\"") != NULL);
  CHECK(strstr(json, ISUP_KEY) == NULL);

  /* a host name switches the addressing format; absent fields keep their value */
  CHECK_RESULT(hikproto_device_set_isup(dev, 0, "{\"host\":\"isup.example.net\"}", NULL, NULL,
                                        NULL),
               HIKPROTO_RESULT_OK);
  CHECK_JSON(hikproto_device_isup_json, hikproto_device_isup_json(dev, 0, json, sizeof json, &n, NULL), json);
  CHECK(strstr(json, "\"hostName\":\"isup.example.net\"") != NULL);
  CHECK(strstr(json, "\"addressingFormatType\":\"hostname\"") != NULL);
  CHECK(strstr(json, "\"portNo\":7661") != NULL);

  char key[64];
  CHECK_RESULT(hikproto_isup_key_generate(0, key, sizeof key, &n, NULL), HIKPROTO_RESULT_OK);
  CHECK(n == 16 && strlen(key) == 16);
  CHECK_RESULT(hikproto_isup_key_generate(7, key, sizeof key, &n, NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
}

static void test_network(hikproto_device *dev) {
  char json[16384];
  size_t n = 0;
  hikproto_error *err = NULL;
  CHECK_JSON(hikproto_device_network_interfaces_json, hikproto_device_network_interfaces_json(dev, json, sizeof json, &n, &err), json);
  print_error("interfaces", err);
  hikproto_error_free(err);
  CHECK(json[0] == '[' && strstr(json, "\"id\":\"1\"") != NULL);
  /* numbers are numbers: the link's MTU and speed, not their text */
  CHECK(strstr(json, "\"MTU\":1500") != NULL && strstr(json, "\"MTU\":\"") == NULL);
  CHECK(strstr(json, "\"speed\":0") != NULL);
  /* an element the device did not send is there as null (this camera sends no deviceStatus) */
  {
    char info[4096];
    size_t info_n = 0;
    CHECK_JSON(hikproto_device_info_json, hikproto_device_info_json(dev, info, sizeof info, &info_n, NULL), info);
    CHECK(strstr(info, "\"deviceStatus\":null") != NULL && strstr(info, "\"model\":\"") != NULL);
  }
  /* a size query, then the exact size */
  size_t need = 0;
  CHECK_RESULT(hikproto_device_network_interfaces_json(dev, NULL, 0, &need, NULL),
               HIKPROTO_RESULT_INSUFFICIENT_SIZE);
  CHECK(need == n + 1);

  CHECK_RESULT(hikproto_device_set_dns(dev, NULL, "192.0.2.300", NULL, NULL, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_set_dns(dev, NULL, NULL, NULL, NULL, NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);
  bool reboot = true;
  err = NULL;
  CHECK_RESULT(hikproto_device_set_dns(dev, NULL, "192.0.2.53", "192.0.2.54", &reboot, &err),
               HIKPROTO_RESULT_OK);
  print_error("set dns", err);
  hikproto_error_free(err);
  CHECK_JSON(hikproto_device_ip_addressing_json, hikproto_device_ip_addressing_json(dev, "1", json, sizeof json, &n, NULL), json);
  CHECK(strstr(json, "\"primaryDns\":{\"ipAddress\":\"192.0.2.53\"") != NULL);
  CHECK(strstr(json, "\"secondaryDns\":{\"ipAddress\":\"192.0.2.54\"") != NULL);

  /* IPv4: refused locally (empty, contradictory, unknown name, bad address), then changed */
  const char *bad[] = {"{}", "{\"dhcp\":true,\"address\":\"192.0.2.9\"}", "{\"ip\":\"192.0.2.9\"}",
                       "{\"address\":\"192.0.2.300\"}", "{\"secondaryDns\":\"192.0.2.1\"}", "not json"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK_RESULT(hikproto_device_set_ipv4(dev, NULL, bad[i], NULL, NULL),
                 HIKPROTO_RESULT_INVALID_ARGUMENT);
  }
  CHECK_RESULT(hikproto_device_set_ipv4(dev, NULL, NULL, NULL, NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);
  err = NULL;
  CHECK_RESULT(hikproto_device_set_ipv4(
                   dev, "1",
                   "{\"address\":\"192.0.2.70\",\"subnetMask\":\"255.255.255.0\","
                   "\"gateway\":\"192.0.2.1\"}",
                   &reboot, &err),
               HIKPROTO_RESULT_OK);
  print_error("set ipv4", err);
  hikproto_error_free(err);
  CHECK_JSON(hikproto_device_ip_addressing_json, hikproto_device_ip_addressing_json(dev, "1", json, sizeof json, &n, NULL), json);
  CHECK(strstr(json, "\"addressingType\":\"static\"") != NULL);
  CHECK(strstr(json, "\"ipAddress\":\"192.0.2.70\"") != NULL);
  CHECK(strstr(json, "\"defaultGateway\":{\"ipAddress\":\"192.0.2.1\"") != NULL);
  /* what the change did not name is kept */
  CHECK(strstr(json, "\"primaryDns\":{\"ipAddress\":\"192.0.2.53\"") != NULL);
  CHECK_RESULT(hikproto_device_set_ipv4(dev, NULL, "{\"dhcp\":true}", NULL, NULL),
               HIKPROTO_RESULT_OK);
  CHECK_JSON(hikproto_device_ip_addressing_json, hikproto_device_ip_addressing_json(dev, NULL, json, sizeof json, &n, NULL), json);
  CHECK(strstr(json, "\"addressingType\":\"dynamic\"") != NULL);
}

static void test_time(hikproto_device *dev) {
  char json[8192];
  size_t n = 0;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_device_use_ntp(dev, "bad host", NULL, NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_use_ntp(dev, "ntp.example.org", NULL, &err), HIKPROTO_RESULT_OK);
  print_error("use ntp", err);
  hikproto_error_free(err);
  CHECK_JSON(hikproto_device_ntp_servers_json, hikproto_device_ntp_servers_json(dev, json, sizeof json, &n, NULL), json);
  CHECK(strstr(json, "ntp.example.org") != NULL);
  CHECK_JSON(hikproto_device_time_json, hikproto_device_time_json(dev, json, sizeof json, &n, NULL), json);
  CHECK(strstr(json, "\"timeMode\":\"NTP\"") != NULL || strstr(json, "\"timeMode\":\"ntp\"") != NULL);

  CHECK_RESULT(hikproto_device_set_time(dev, "{\"mode\":\"manual\"}", NULL, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_set_time(dev, NULL, NULL, NULL), HIKPROTO_RESULT_NULL_PARAMETER);
  err = NULL;
  CHECK_RESULT(hikproto_device_set_time(
                   dev, "{\"timeMode\":\"manual\",\"timeZone\":\"CST-8:00:00\"}", NULL, &err),
               HIKPROTO_RESULT_OK);
  print_error("set time", err);
  hikproto_error_free(err);
  CHECK_JSON(hikproto_device_time_json, hikproto_device_time_json(dev, json, sizeof json, &n, NULL), json);
  CHECK(strstr(json, "\"timeMode\":\"manual\"") != NULL);
  CHECK(strstr(json, "\"timeZone\":\"CST-8:00:00\"") != NULL);
}

/* Inside TLS a secret needs no opt-in: the ISUP key set through a pinned HTTPS handle is
 * written, and the device's own view of it is never echoed back. */
static void test_isup_over_tls(void) {
  hikproto_sim *sim = NULL;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_sim_start(1, PASSWORD, HIKPROTO_SIM_HTTPS, &sim, &err), HIKPROTO_RESULT_OK);
  print_error("https sim", err);
  hikproto_error_free(err);
  if (sim == NULL) {
    return;
  }
  uint16_t port = 0;
  char fp[80], json[8192];
  size_t n = 0;
  CHECK_RESULT(hikproto_sim_device_https_port(sim, 0, &port, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_sim_device_cert_sha256(sim, 0, fp, sizeof fp, &n, NULL), HIKPROTO_RESULT_OK);
  hikproto_device_builder *b = NULL;
  hikproto_device *tls = NULL;
  CHECK_RESULT(hikproto_device_builder_new("127.0.0.1", port, &b, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_credentials(b, "admin", PASSWORD, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_tls_pin_sha256(b, fp, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_https(b, true, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_build(b, &tls, NULL), HIKPROTO_RESULT_OK);
  hikproto_device_builder_free(b);
  bool reboot = true;
  err = NULL;
  CHECK_RESULT(hikproto_device_set_isup(
                   tls, 0,
                   "{\"enabled\":true,\"host\":\"192.0.2.60\",\"port\":7662,\"deviceId\":\"tls01\"}",
                   ISUP_KEY, &reboot, &err),
               HIKPROTO_RESULT_OK);
  print_error("set isup over TLS", err);
  hikproto_error_free(err);
  CHECK_JSON(hikproto_device_isup_json, hikproto_device_isup_json(tls, 0, json, sizeof json, &n, NULL), json);
  CHECK(strstr(json, "\"deviceId\":\"tls01\"") != NULL);
  CHECK(strstr(json, ISUP_KEY) == NULL);
  hikproto_device_free(tls);
  hikproto_sim_free(sim);
}

int main(void) {
  hikproto_sim *sim = NULL;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_sim_start(1, PASSWORD, 0, &sim, &err), HIKPROTO_RESULT_OK);
  print_error("sim start", err);
  hikproto_error_free(err);
  if (sim == NULL) {
    return finish("test_network");
  }
  uint16_t port = 0;
  CHECK_RESULT(hikproto_sim_device_port(sim, 0, &port, NULL), HIKPROTO_RESULT_OK);
  hikproto_device *dev = NULL;
  CHECK_RESULT(hikproto_device_new("127.0.0.1", port, "admin", PASSWORD, &dev, NULL),
               HIKPROTO_RESULT_OK);
  hikproto_device_builder *b = NULL;
  hikproto_device *opted_in = NULL;
  CHECK_RESULT(hikproto_device_builder_new("127.0.0.1", port, &b, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_credentials(b, "admin", PASSWORD, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_allow_plaintext_secrets(b, true, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_build(b, &opted_in, NULL), HIKPROTO_RESULT_OK);
  hikproto_device_builder_free(b);
  test_isup(dev, opted_in);
  hikproto_device_free(opted_in);
  test_network(dev);
  test_time(dev);
  test_isup_over_tls();
  hikproto_device_free(dev);
  hikproto_sim_free(sim);
  return finish("test_network");
}
