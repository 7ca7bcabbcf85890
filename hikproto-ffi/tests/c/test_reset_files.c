/* The password-reset files from C against a simulated device over SADP: export the key file,
 * answer it as the simulator's support desk, check the reply and import it; export a GUID file,
 * check it and reset with it; a reset code typed directly; and the file checks that refuse
 * the wrong file, a changed file, or a key file without its sidecar. Files live in a fresh
 * temporary directory that is removed at the end. */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

#define FIRST "Files-Passw0rd#a"
#define SECOND "Files-Repl1ed#b"
#define THIRD "Files-Gu1ded#cc"
#define FOURTH "Files-C0ded#ddd"

static char buf[16384];
static size_t n;
static char dir[] = "/tmp/hikproto-files-XXXXXX";

static void path_in(char *out, size_t len, const char *name) {
  snprintf(out, len, "%s/%s", dir, name);
}

static int read_file(const char *path, char *out, size_t len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    return 0;
  }
  size_t got = fread(out, 1, len - 1, f);
  fclose(f);
  out[got] = '\0';
  return got > 0;
}

static int write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  if (f == NULL) {
    return 0;
  }
  int ok = fputs(text, f) >= 0;
  return fclose(f) == 0 && ok;
}

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

static hikproto_sadp_target *discover_target(hikproto_sim *sim) {
  uint16_t port = 0;
  char addr[64];
  CHECK_RESULT(hikproto_sim_device_sadp_port(sim, 0, &port, NULL), HIKPROTO_RESULT_OK);
  snprintf(addr, sizeof addr, "127.0.0.1:%u", (unsigned)port);
  hikproto_discovery *d = NULL;
  CHECK_RESULT(hikproto_discovery_new(&d, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_discovery_add_target(d, addr, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_discovery_set_expect(d, 1, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_discovery_run(d, NULL), HIKPROTO_RESULT_OK);
  hikproto_sadp_target *t = NULL;
  CHECK_RESULT(hikproto_discovery_target(d, 0, &t, NULL), HIKPROTO_RESULT_OK);
  hikproto_discovery_free(d);
  return t;
}

static void test_key_file_route(hikproto_sadp_client *c, hikproto_sadp_client *plain, hikproto_sadp_target *t,
                                hikproto_sim *sim, const char *serial) {
  char key_path[256], reply_path[256], text[4096], reply[4096];
  hikproto_error *err = NULL;
  path_in(key_path, sizeof key_path, "DeviceKey.xml");
  path_in(reply_path, sizeof reply_path, "reply.xml");

  CHECK_RESULT(hikproto_sadp_export_key_file(c, t, key_path, &err), HIKPROTO_RESULT_OK);
  print_error("export key file", err);
  hikproto_error_free(err);
  err = NULL;
  CHECK_JSON(hikproto_key_file_check_json, hikproto_key_file_check_json(key_path, NULL, buf, sizeof buf, &n, &err), buf);
  print_error("key file check", err);
  hikproto_error_free(err);
  CHECK(strstr(buf, serial) != NULL && strstr(buf, "\"mayHaveExpired\":false") != NULL);
  /* the boot time was recorded: a different one means the device rebooted */
  CHECK_RESULT(hikproto_key_file_check_json(key_path, "1999-01-01 00:00:00", buf, sizeof buf, &n,
                                            NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);

  /* play support: answer the exported string */
  CHECK(read_file(key_path, text, sizeof text));
  CHECK_RESULT(hikproto_sim_code(HIKPROTO_SIM_CODE_SUPPORT_REPLY, text, reply, sizeof reply, &n, NULL),
               HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_sim_code(HIKPROTO_SIM_CODE_SUPPORT_REPLY, "garbage", reply, sizeof reply,
                                 &n, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_sim_code(HIKPROTO_SIM_CODE_SUPPORT_REPLY, text, reply, sizeof reply, &n, NULL),
               HIKPROTO_RESULT_OK);
  CHECK(write_file(reply_path, reply));
  err = NULL;
  CHECK_JSON(hikproto_support_reply_check_json, hikproto_support_reply_check_json(reply_path, key_path, NULL, buf, sizeof buf, &n,
                                                 &err), buf);
  print_error("reply check", err);
  hikproto_error_free(err);
  CHECK(strstr(buf, "\"bytes\":") != NULL && strstr(buf, reply) == NULL);
  /* the key file is not a reply */
  CHECK_RESULT(hikproto_support_reply_check_json(key_path, key_path, NULL, buf, sizeof buf, &n,
                                                 NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);

  CHECK_RESULT(hikproto_sadp_reset_with_reply_file(c, t, reply_path, key_path, "12345678", false, NULL,
                                                   NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  /* this device does not advertise codeEncrypt: the reply would travel in clear, so the reset
   * is refused before anything is sent unless the client opted in */
  CHECK_RESULT(hikproto_sadp_reset_with_reply_file(c, t, reply_path, key_path, SECOND, false, NULL,
                                                   NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(isapi_login(sim, FIRST), HIKPROTO_RESULT_OK);
  err = NULL;
  CHECK_RESULT(hikproto_sadp_reset_with_reply_file(plain, t, reply_path, key_path, SECOND, false, NULL,
                                                   &err),
               HIKPROTO_RESULT_OK);
  print_error("import reply", err);
  hikproto_error_free(err);
  CHECK_RESULT(isapi_login(sim, SECOND), HIKPROTO_RESULT_OK);

  /* a key file changed after export is refused; so is one without its sidecar */
  CHECK(write_file(key_path, "tampered"));
  CHECK_RESULT(hikproto_key_file_check_json(key_path, NULL, buf, sizeof buf, &n, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  char bare[256];
  path_in(bare, sizeof bare, "bare.xml");
  CHECK(write_file(bare, text));
  CHECK_RESULT(hikproto_key_file_check_json(bare, NULL, buf, sizeof buf, &n, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);

  /* a key file written from a string obtained elsewhere */
  CHECK_RESULT(hikproto_key_file_write(bare, text, "not a serial", NULL, NULL, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_key_file_write(bare, text, serial, NULL, NULL, NULL), HIKPROTO_RESULT_OK);
  CHECK_JSON(hikproto_key_file_check_json, hikproto_key_file_check_json(bare, NULL, buf, sizeof buf, &n, NULL), buf);
  CHECK(strstr(buf, "boot time was not recorded") != NULL);
}

static void test_guid_and_code(hikproto_sadp_client *c, hikproto_sadp_client *plain,
                               hikproto_sadp_target *t, hikproto_sim *sim, const char *serial) {
  char guid_path[256], text[4096], code[4096];
  hikproto_error *err = NULL;
  path_in(guid_path, sizeof guid_path, "device.guid");
  CHECK_RESULT(hikproto_sadp_export_guid_file(c, t, "Wrong-Passw0rd", guid_path, NULL),
               HIKPROTO_RESULT_CREDENTIALS_REJECTED);
  CHECK(access(guid_path, F_OK) != 0);
  CHECK_RESULT(hikproto_sadp_export_guid_file(c, t, SECOND, guid_path, &err), HIKPROTO_RESULT_OK);
  print_error("export guid", err);
  hikproto_error_free(err);
  err = NULL;
  CHECK_JSON(hikproto_guid_file_check_json, hikproto_guid_file_check_json(guid_path, serial, buf, sizeof buf, &n, &err), buf);
  print_error("guid check", err);
  hikproto_error_free(err);
  CHECK(strstr(buf, "\"bytes\":") != NULL && strstr(buf, serial) != NULL);
  CHECK_RESULT(hikproto_guid_file_check_json(guid_path, "DS-OTHER0000000000000000000000", buf,
                                             sizeof buf, &n, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  /* SADP carries the GUID in clear: refused before sending without the opt-in */
  CHECK_RESULT(hikproto_sadp_reset_with_guid_file(c, t, guid_path, THIRD, false, NULL, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(isapi_login(sim, SECOND), HIKPROTO_RESULT_OK);
  err = NULL;
  CHECK_RESULT(hikproto_sadp_reset_with_guid_file(plain, t, guid_path, THIRD, false, NULL, &err),
               HIKPROTO_RESULT_OK);
  print_error("guid reset", err);
  hikproto_error_free(err);
  CHECK_RESULT(isapi_login(sim, THIRD), HIKPROTO_RESULT_OK);

  /* the code typed directly: a fresh encrypted string, answered */
  err = NULL;
  CHECK_RESULT(hikproto_sadp_encrypt_string(c, t, text, sizeof text, &n, &err), HIKPROTO_RESULT_OK);
  print_error("encrypt string", err);
  hikproto_error_free(err);
  CHECK_RESULT(hikproto_sim_code(HIKPROTO_SIM_CODE_SUPPORT_REPLY, text, code, sizeof code, &n, NULL),
               HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_sadp_reset_with_code(c, t, code, FOURTH, false, NULL, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_sadp_reset_with_code(plain, t, "WRONGCODE", FOURTH, false, NULL, NULL),
               HIKPROTO_RESULT_DEVICE_REFUSED);
  CHECK_RESULT(isapi_login(sim, THIRD), HIKPROTO_RESULT_OK);
  err = NULL;
  CHECK_RESULT(hikproto_sadp_reset_with_code(plain, t, code, FOURTH, false, NULL, &err), HIKPROTO_RESULT_OK);
  print_error("reset with code", err);
  hikproto_error_free(err);
  CHECK_RESULT(isapi_login(sim, FOURTH), HIKPROTO_RESULT_OK);
}

int main(void) {
  if (mkdtemp(dir) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  hikproto_sim *sim = NULL;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_sim_start(1, FIRST, HIKPROTO_SIM_SADP, &sim, &err), HIKPROTO_RESULT_OK);
  print_error("sim start", err);
  hikproto_error_free(err);
  if (sim == NULL) {
    return finish("test_reset_files");
  }
  char serial[128];
  CHECK_RESULT(hikproto_sim_device_serial(sim, 0, serial, sizeof serial, &n, NULL), HIKPROTO_RESULT_OK);
  hikproto_sadp_client *c = NULL;
  CHECK_RESULT(hikproto_sadp_client_new(5000, &c, NULL), HIKPROTO_RESULT_OK);
  hikproto_sadp_target *t = discover_target(sim);

  /* a target without a serial cannot export a key file */
  hikproto_sadp_target *bare = NULL;
  char p[256];
  path_in(p, sizeof p, "never.xml");
  CHECK_RESULT(hikproto_sadp_target_new("00:11:22:33:44:55", "127.0.0.1:9", &bare, NULL),
               HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_sadp_export_key_file(c, bare, p, NULL), HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK(access(p, F_OK) != 0);
  hikproto_sadp_target_free(bare);

  hikproto_sadp_client *plain = NULL;
  CHECK_RESULT(hikproto_sadp_client_allow_plaintext_secrets(c, &plain, NULL), HIKPROTO_RESULT_OK);
  if (c != NULL && plain != NULL && t != NULL) {
    test_key_file_route(c, plain, t, sim, serial);
    test_guid_and_code(c, plain, t, sim, serial);
  }
  hikproto_sadp_target_free(t);
  hikproto_sadp_client_free(c);
  hikproto_sadp_client_free(plain);
  hikproto_sim_free(sim);

  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) {
    fprintf(stderr, "could not remove %s\n", dir);
  }
  return finish("test_reset_files");
}
