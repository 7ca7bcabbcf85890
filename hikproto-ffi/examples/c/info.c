/* info: print a device's identity as JSON.
 *
 *   info HOST[:PORT] USER PASSWORD     read a real device
 *   info --sim                         start a simulated camera on loopback and read it
 *                                      (a library built with the simulator: FEATURES=sim)
 *
 * Build against an installed libhikproto (see Makefile / CMakeLists.txt in this folder):
 *   cc info.c $(pkg-config --cflags --libs hikproto) -o info
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hikproto.h"

static int fail(const char *what, hikproto_result r, hikproto_error *err) {
  char msg[512] = "";
  size_t n = 0;
  if (err != NULL) {
    hikproto_error_message(err, msg, sizeof msg, &n);
  } else {
    hikproto_result_describe(r, msg, sizeof msg, &n);
  }
  fprintf(stderr, "%s failed: %s: %s\n", what, hikproto_result_name(r), msg);
  if (r == HIKPROTO_RESULT_LOCKED && hikproto_error_retry_after_secs(err) >= 0) {
    fprintf(stderr, "try again in %lld s\n", (long long)hikproto_error_retry_after_secs(err));
  }
  hikproto_error_free(err);
  return 1;
}

#ifndef HIKPROTO_SIM
/* a library without the simulator: nothing to start or free */
typedef struct hikproto_sim hikproto_sim;
static void hikproto_sim_free(hikproto_sim *sim) { (void)sim; }
#endif

int main(int argc, char **argv) {
  hikproto_sim *sim = NULL;
  hikproto_device *dev = NULL;
  hikproto_error *err = NULL;
  hikproto_result r;

  if (argc == 2 && strcmp(argv[1], "--sim") == 0) {
#ifndef HIKPROTO_SIM
    fprintf(stderr, "this libhikproto was built without the simulator (FEATURES=sim)\n");
    return 2;
#else
    const char *password = "Passw0rd!x";
    r = hikproto_sim_start(1, password, 0, &sim, &err);
    if (r != HIKPROTO_RESULT_OK) {
      return fail("starting the simulator", r, err);
    }
    uint16_t port = 0;
    hikproto_sim_device_port(sim, 0, &port, NULL);
    r = hikproto_device_new("127.0.0.1", port, "admin", password, &dev, &err);
#endif
  } else if (argc == 4) {
    r = hikproto_device_new(argv[1], 0, argv[2], argv[3], &dev, &err);
  } else {
    fprintf(stderr, "usage: %s HOST[:PORT] USER PASSWORD | %s --sim\n", argv[0], argv[0]);
    return 2;
  }
  if (r != HIKPROTO_RESULT_OK) {
    hikproto_sim_free(sim);
    return fail("creating the device handle", r, err);
  }

  /* the library allocates the text: one request, whatever its size */
  char *json = NULL;
  r = hikproto_device_info_json_alloc(dev, &json, &err);
  int rc = 0;
  if (r == HIKPROTO_RESULT_OK) {
    printf("%s\n", json);
  } else {
    rc = fail("reading deviceInfo", r, err);
  }
  hikproto_string_free(json);
  hikproto_device_free(dev);
  hikproto_sim_free(sim);
  hikproto_shutdown();
  return rc;
}
