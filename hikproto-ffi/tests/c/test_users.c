/* Users from C against a simulated camera: list, add (policy first), log in as the new user,
 * change its password, delete it; the administrator and unknown users are refused locally. */
#include "check.h"

#define PASSWORD "Passw0rd!x"
#define OPERATOR_PW "Op3rator#Pass"
#define OPERATOR_PW2 "Op3rator#Next"

int main(void) {
  hikproto_sim *sim = NULL;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_sim_start(1, PASSWORD, 0, &sim, &err), HIKPROTO_RESULT_OK);
  print_error("sim start", err);
  hikproto_error_free(err);
  if (sim == NULL) {
    return finish("test_users");
  }
  uint16_t port = 0;
  CHECK_RESULT(hikproto_sim_device_port(sim, 0, &port, NULL), HIKPROTO_RESULT_OK);
  hikproto_device *dev = NULL;
  CHECK_RESULT(hikproto_device_new("127.0.0.1", port, "admin", PASSWORD, &dev, NULL),
               HIKPROTO_RESULT_OK);
  char json[16384];
  size_t n = 0;

  err = NULL;
  CHECK_JSON(hikproto_device_users_json, hikproto_device_users_json(dev, json, sizeof json, &n, &err), json);
  print_error("users", err);
  hikproto_error_free(err);
  CHECK(json[0] == '[' && strstr(json, "\"userName\":\"admin\"") != NULL);
  CHECK(strstr(json, "operator1") == NULL);
  CHECK(strstr(json, PASSWORD) == NULL);

  /* refused before anything is sent */
  uint32_t id = 0;
  CHECK_RESULT(hikproto_device_add_user(dev, "operator1", "12345678", NULL, NULL, &id, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_add_user(dev, "", OPERATOR_PW, NULL, NULL, &id, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_add_user(dev, "operator1", NULL, NULL, NULL, &id, NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);

  err = NULL;
  CHECK_RESULT(hikproto_device_add_user(dev, "operator1", OPERATOR_PW, "Operator", NULL, &id, &err),
               HIKPROTO_RESULT_OK);
  print_error("add user", err);
  hikproto_error_free(err);
  CHECK(id > 1);
  CHECK_JSON(hikproto_device_users_json, hikproto_device_users_json(dev, json, sizeof json, &n, NULL), json);
  CHECK(strstr(json, "\"userName\":\"operator1\"") != NULL);
  CHECK(strstr(json, OPERATOR_PW) == NULL);

  /* the new user can log in; its password can be changed by the administrator */
  hikproto_device *op = NULL;
  CHECK_RESULT(hikproto_device_new("127.0.0.1", port, "operator1", OPERATOR_PW, &op, NULL),
               HIKPROTO_RESULT_OK);
  CHECK_JSON(hikproto_device_info_json, hikproto_device_info_json(op, json, sizeof json, &n, NULL), json);
  hikproto_device_free(op);
  err = NULL;
  CHECK_RESULT(hikproto_device_change_password(dev, "operator1", OPERATOR_PW2, &err),
               HIKPROTO_RESULT_OK);
  print_error("change password", err);
  hikproto_error_free(err);
  op = NULL;
  CHECK_RESULT(hikproto_device_new("127.0.0.1", port, "operator1", OPERATOR_PW2, &op, NULL),
               HIKPROTO_RESULT_OK);
  CHECK_JSON(hikproto_device_info_json, hikproto_device_info_json(op, json, sizeof json, &n, NULL), json);
  hikproto_device_free(op);

  /* deleting: the administrator and unknown names are refused locally */
  CHECK_RESULT(hikproto_device_delete_user(dev, "admin", NULL, NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_device_delete_user(dev, "nobody", NULL, NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  err = NULL;
  CHECK_RESULT(hikproto_device_delete_user(dev, "operator1", PASSWORD, &err), HIKPROTO_RESULT_OK);
  print_error("delete user", err);
  hikproto_error_free(err);
  CHECK_JSON(hikproto_device_users_json, hikproto_device_users_json(dev, json, sizeof json, &n, NULL), json);
  CHECK(strstr(json, "operator1") == NULL);
  op = NULL;
  CHECK_RESULT(hikproto_device_new("127.0.0.1", port, "operator1", OPERATOR_PW2, &op, NULL),
               HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_info_json(op, json, sizeof json, &n, NULL),
               HIKPROTO_RESULT_CREDENTIALS_REJECTED);
  hikproto_device_free(op);

  hikproto_device_free(dev);
  hikproto_sim_free(sim);
  return finish("test_users");
}
