/* Offline checks of passwords and verification codes: verdicts as JSON, secrets never echoed,
 * generated codes that pass their own check. */
#include "check.h"

int main(void) {
  char out[1024];
  size_t n = 0;

  CHECK_JSON(hikproto_password_check_json, hikproto_password_check_json("admin", "Gx7#kLm2Qp9!", HIKPROTO_PASSWORD_POLICY_STANDARD,
                                            out, sizeof out, &n, NULL), out);
  CHECK(strstr(out, "\"acceptable\":true") != NULL);
  CHECK(strstr(out, "Gx7#kLm2Qp9!") == NULL);

  CHECK_JSON(hikproto_password_check_json, hikproto_password_check_json("admin", "admin", HIKPROTO_PASSWORD_POLICY_STANDARD, out,
                                            sizeof out, &n, NULL), out);
  CHECK(strstr(out, "\"acceptable\":false") != NULL);
  CHECK(strstr(out, "\"explanation\":\"\"") == NULL);

  CHECK_RESULT(hikproto_password_check_json("admin", "x", 9, out, sizeof out, &n, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_password_check_json("admin", NULL, 0, out, sizeof out, &n, NULL),
               HIKPROTO_RESULT_NULL_PARAMETER);

  CHECK_JSON(hikproto_verification_code_check_json, hikproto_verification_code_check_json("ABCDEF", NULL, out, sizeof out, &n, NULL), out);
  CHECK(strstr(out, "\"acceptable\":false") != NULL);
  CHECK(strstr(out, "ABCDEF\"") == NULL || strstr(out, "\"issues\"") != NULL);

  char code[16];
  CHECK_RESULT(hikproto_verification_code_generate(0, code, sizeof code, &n, NULL), HIKPROTO_RESULT_OK);
  CHECK(n == 10 && strlen(code) == 10);
  CHECK_JSON(hikproto_verification_code_check_json, hikproto_verification_code_check_json(code, NULL, out, sizeof out, &n, NULL), out);
  CHECK(strstr(out, "\"acceptable\":true") != NULL);
  CHECK_RESULT(hikproto_verification_code_generate(12, code, sizeof code, &n, NULL), HIKPROTO_RESULT_OK);
  CHECK(n == 12);
  CHECK_RESULT(hikproto_verification_code_generate(40, code, sizeof code, &n, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  size_t needed = 0;
  CHECK_RESULT(hikproto_verification_code_generate(8, code, 4, &needed, NULL),
               HIKPROTO_RESULT_INSUFFICIENT_SIZE);
  CHECK(needed == 9);
  return finish("test_keys");
}
