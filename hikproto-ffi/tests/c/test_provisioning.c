/* Provisioning from C against a simulated camera in factory state: activation status,
 * activation (policy first), password change, Hik-Connect platform access and verification
 * codes, and the doctor. Secrets never appear in what comes back. */
#include "check.h"

#define FIRST "Act1vate-Me#x"
#define SECOND "Chang3d-Pass#y"

static hikproto_device *device_at(uint16_t port, const char *user, const char *password) {
  hikproto_device *dev = NULL;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_device_new("127.0.0.1", port, user, password, &dev, &err),
               HIKPROTO_RESULT_OK);
  hikproto_error_free(err);
  return dev;
}

int main(void) {
  hikproto_sim *sim = NULL;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_sim_start(1, NULL, 0, &sim, &err), HIKPROTO_RESULT_OK);
  print_error("sim start", err);
  hikproto_error_free(err);
  if (sim == NULL) {
    return finish("test_provisioning");
  }
  uint16_t port = 0;
  CHECK_RESULT(hikproto_sim_device_port(sim, 0, &port), HIKPROTO_RESULT_OK);
  char json[16384];
  size_t n = 0;

  /* factory state, no credentials needed to ask */
  hikproto_device *dev = device_at(port, NULL, NULL);
  err = NULL;
  CHECK_RESULT(hikproto_device_activation_status_json(dev, json, sizeof json, &n, &err),
               HIKPROTO_RESULT_OK);
  print_error("activation status", err);
  hikproto_error_free(err);
  CHECK(strstr(json, "\"activated\":false") != NULL);

  /* a weak password is refused before anything is sent */
  err = NULL;
  CHECK_RESULT(hikproto_device_activate(dev, "12345678", &err), HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK(err != NULL);
  hikproto_error_free(err);
  CHECK_RESULT(hikproto_device_activate(dev, NULL, NULL), HIKPROTO_RESULT_NULL_PARAMETER);

  err = NULL;
  CHECK_RESULT(hikproto_device_activate(dev, FIRST, &err), HIKPROTO_RESULT_OK);
  print_error("activate", err);
  hikproto_error_free(err);
  CHECK_RESULT(hikproto_device_activation_status_json(dev, json, sizeof json, &n, NULL),
               HIKPROTO_RESULT_OK);
  CHECK(strstr(json, "\"activated\":true") != NULL);
  /* the handle now logs in as admin with the new password */
  CHECK_RESULT(hikproto_device_info_json(dev, json, sizeof json, &n, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_activate(dev, FIRST, NULL), HIKPROTO_RESULT_ALREADY_ACTIVATED);
  hikproto_device_free(dev);

  /* password change; the old password stops working */
  dev = device_at(port, "admin", FIRST);
  err = NULL;
  CHECK_RESULT(hikproto_device_change_password(dev, "admin", SECOND, &err), HIKPROTO_RESULT_OK);
  print_error("change password", err);
  hikproto_error_free(err);
  CHECK_RESULT(hikproto_device_info_json(dev, json, sizeof json, &n, NULL), HIKPROTO_RESULT_OK);
  hikproto_device_free(dev);
  hikproto_device *old = device_at(port, "admin", FIRST);
  CHECK_RESULT(hikproto_device_info_json(old, json, sizeof json, &n, NULL),
               HIKPROTO_RESULT_CREDENTIALS_REJECTED);
  hikproto_device_free(old);

  /* platform access */
  dev = device_at(port, "admin", SECOND);
  CHECK_RESULT(hikproto_device_enable_platform_access(dev, "abc", NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  err = NULL;
  CHECK_RESULT(hikproto_device_enable_platform_access(dev, "Qk7m2Tz9", &err), HIKPROTO_RESULT_OK);
  print_error("enable platform access", err);
  hikproto_error_free(err);
  err = NULL;
  CHECK_RESULT(hikproto_device_platform_json(dev, json, sizeof json, &n, &err), HIKPROTO_RESULT_OK);
  print_error("platform", err);
  hikproto_error_free(err);
  CHECK(strstr(json, "\"enabled\":true") != NULL);
  CHECK(strstr(json, "Qk7m2Tz9") == NULL);
  CHECK_RESULT(hikproto_device_set_verification_code(dev, "Wp4n8Rx2", NULL), HIKPROTO_RESULT_OK);

  /* the doctor compares the app's stored code with the device's */
  err = NULL;
  CHECK_RESULT(hikproto_device_doctor_json(dev, "Qk7m2Tz9", json, sizeof json, &n, &err),
               HIKPROTO_RESULT_OK);
  print_error("doctor", err);
  hikproto_error_free(err);
  CHECK(json[0] == '{');
  CHECK(strstr(json, "\"code.mismatch\"") != NULL); /* the app stores the old code */
  CHECK(strstr(json, "Qk7m2Tz9") == NULL && strstr(json, "Wp4n8Rx2") == NULL);
  CHECK(strstr(json, SECOND) == NULL);
  /* remedies name C functions, never Rust calls */
  CHECK(strstr(json, "Device::") == NULL && strstr(json, "hikproto::") == NULL);

  /* a device that answers HTTP 500 to everything is never called healthy: what could not be
   * read is listed under "unchecked" with its error */
  CHECK_RESULT(hikproto_sim_device_set_fault(sim, 0, HIKPROTO_SIM_FAULT_HTTP_500, 0, true),
               HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_doctor_json(dev, NULL, json, sizeof json, &n, NULL),
               HIKPROTO_RESULT_OK);
  CHECK(strstr(json, "\"healthy\":false") != NULL);
  CHECK(strstr(json, "\"unchecked\":[{") != NULL);
  CHECK_RESULT(hikproto_sim_device_clear_faults(sim, 0), HIKPROTO_RESULT_OK);

  CHECK_RESULT(hikproto_device_disable_platform_access(dev, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_platform_json(dev, json, sizeof json, &n, NULL), HIKPROTO_RESULT_OK);
  CHECK(strstr(json, "\"enabled\":false") != NULL);
  hikproto_device_free(dev);
  hikproto_sim_free(sim);
  return finish("test_provisioning");
}
