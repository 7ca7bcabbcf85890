/* Fleet work from C against a simulated site: the inventory of a fleet, and the journaled
 * password rotation of a devices file (credentials from the environment), exported to a private
 * CSV file whose passwords then log in; refused devices files name their file and line. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#define PASSWORD "Sim-Passw0rd!x"
#define N 3

static char *results_json(hikproto_fleet_results *res) {
  size_t needed = 0;
  CHECK_RESULT(hikproto_fleet_results_json(res, NULL, 0, &needed, NULL),
               HIKPROTO_RESULT_INSUFFICIENT_SIZE);
  char *json = malloc(needed);
  size_t len = 0;
  CHECK_RESULT(hikproto_fleet_results_json(res, json, needed, &len, NULL), HIKPROTO_RESULT_OK);
  return json;
}

int main(void) {
  hikproto_sim *sim = NULL;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_sim_start(N, PASSWORD, 0, &sim, &err), HIKPROTO_RESULT_OK);
  uint16_t ports[N];
  for (size_t i = 0; i < N; i++) {
    CHECK_RESULT(hikproto_sim_device_port(sim, i, &ports[i], NULL), HIKPROTO_RESULT_OK);
  }

  /* inventory of a fleet of handles */
  hikproto_fleet *fleet = NULL;
  CHECK_RESULT(hikproto_fleet_new(&fleet, NULL), HIKPROTO_RESULT_OK);
  for (size_t i = 0; i < N; i++) {
    hikproto_device *dev = NULL;
    CHECK_RESULT(hikproto_device_new("127.0.0.1", ports[i], "admin", PASSWORD, &dev, NULL),
                 HIKPROTO_RESULT_OK);
    CHECK_RESULT(hikproto_fleet_add_device(fleet, dev, NULL), HIKPROTO_RESULT_OK);
    hikproto_device_free(dev);
  }
  hikproto_fleet_results *res = NULL;
  CHECK_RESULT(hikproto_fleet_inventory(fleet, &res, &err), HIKPROTO_RESULT_OK);
  CHECK(hikproto_fleet_results_ok_count(res) == N);
  char *json = results_json(res);
  char serial[128];
  size_t n = 0;
  CHECK_RESULT(hikproto_sim_device_serial(sim, 2, serial, sizeof serial, &n, NULL), HIKPROTO_RESULT_OK);
  CHECK(strstr(json, serial) != NULL);
  CHECK(strstr(json, "\"access\":\"ok\"") != NULL);
  CHECK(strstr(json, PASSWORD) == NULL);
  free(json);
  hikproto_fleet_results_free(res);
  hikproto_fleet_free(fleet);
  CHECK_RESULT(hikproto_fleet_inventory(NULL, &res, NULL), HIKPROTO_RESULT_NULL_PARAMETER);

  /* rotation of a devices file */
  char dir[] = "/tmp/hikproto-fleet-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char devices[256], journal[256], export[256], bad[256];
  snprintf(devices, sizeof devices, "%s/devices.csv", dir);
  snprintf(journal, sizeof journal, "%s/rotation.journal", dir);
  snprintf(export, sizeof export, "%s/final.csv", dir);
  snprintf(bad, sizeof bad, "%s/bad.csv", dir);
  FILE *f = fopen(devices, "w");
  fprintf(f, "host,port,site,credential\n");
  for (size_t i = 0; i < N; i++) {
    fprintf(f, "127.0.0.1,%u,north,env:C_FLEET_PW\n", ports[i]);
  }
  fclose(f);
  setenv("C_FLEET_PW", PASSWORD, 1);
  CHECK_RESULT(hikproto_fleet_rotate(devices, NULL, journal, false, export, 2, &res, &err),
               HIKPROTO_RESULT_OK);
  print_error("rotate", err);
  CHECK(hikproto_fleet_results_ok_count(res) == N);
  json = results_json(res);
  CHECK(strstr(json, "\"status\":\"rotated\"") != NULL);
  free(json);
  hikproto_fleet_results_free(res);
  struct stat st;
  CHECK(stat(export, &st) == 0 && (st.st_mode & 0777) == 0600);
  CHECK(stat(journal, &st) == 0 && (st.st_mode & 0777) == 0600);

  /* every exported password logs in */
  f = fopen(export, "r");
  char line[512];
  CHECK(fgets(line, sizeof line, f) != NULL); /* header */
  size_t rows = 0;
  while (fgets(line, sizeof line, f) != NULL) {
    unsigned port = 0;
    char status[32], password[128];
    CHECK(sscanf(line, "127.0.0.1,%u,admin,north,,%31[^,],%127[^\n]", &port, status, password) ==
          3);
    CHECK(strcmp(status, "rotated") == 0 && strcmp(password, PASSWORD) != 0);
    hikproto_device *dev = NULL;
    CHECK_RESULT(hikproto_device_new("127.0.0.1", (uint16_t)port, "admin", password, &dev, NULL),
                 HIKPROTO_RESULT_OK);
    char info[4096];
    CHECK_RESULT(hikproto_device_info_json(dev, info, sizeof info, &n, NULL), HIKPROTO_RESULT_OK);
    hikproto_device_free(dev);
    rows++;
  }
  fclose(f);
  CHECK(rows == N);

  /* a second start refuses the existing journal; a resume finds everything done */
  CHECK_RESULT(hikproto_fleet_rotate(devices, NULL, journal, false, NULL, 0, &res, NULL),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  CHECK_RESULT(hikproto_fleet_rotate(devices, NULL, journal, true, NULL, 0, &res, NULL),
               HIKPROTO_RESULT_OK);
  json = results_json(res);
  CHECK(strstr(json, "\"status\":\"already_rotated\"") != NULL);
  free(json);
  hikproto_fleet_results_free(res);

  /* a bad devices file names its line; nothing runs */
  f = fopen(bad, "w");
  fprintf(f, "host,port,credential\n127.0.0.1,80,env:X\nnot a host,80,env:X\n");
  fclose(f);
  CHECK_RESULT(hikproto_fleet_rotate(bad, NULL, journal, true, NULL, 0, &res, &err),
               HIKPROTO_RESULT_INVALID_ARGUMENT);
  char msg[1024];
  CHECK_RESULT(hikproto_error_message(err, msg, sizeof msg, &n), HIKPROTO_RESULT_OK);
  CHECK(strstr(msg, "bad.csv:3: ") != NULL);
  hikproto_error_free(err);

  unlink(devices);
  unlink(journal);
  unlink(export);
  unlink(bad);
  rmdir(dir);
  hikproto_sim_free(sim);
  hikproto_shutdown(); /* leaves nothing behind for leak checkers */
  printf("test_fleet_file: ok\n");
  return 0;
}
