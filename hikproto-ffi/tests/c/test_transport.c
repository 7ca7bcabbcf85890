/* Transport failures on loopback, without a device: a closed port (refused) and a peer that
 * accepts the connection but never answers (timeout). Checks codes and error objects. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <signal.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* Binds 127.0.0.1:0 and returns the socket; *port receives the port. */
static int bind_loopback(uint16_t *port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    return -1;
  }
  socklen_t len = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &len);
  *port = ntohs(a.sin_port);
  return fd;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static hikproto_device *device_at(uint16_t port, uint32_t request_ms) {
  hikproto_device_builder *b = NULL;
  hikproto_device *dev = NULL;
  CHECK_RESULT(hikproto_device_builder_new("127.0.0.1", port, &b, NULL), HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_credentials(b, "admin", "Passw0rd!x", NULL),
               HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_set_timeouts_ms(b, request_ms, request_ms, NULL),
               HIKPROTO_RESULT_OK);
  CHECK_RESULT(hikproto_device_builder_build(b, &dev, NULL), HIKPROTO_RESULT_OK);
  hikproto_device_builder_free(b);
  return dev;
}

static void test_refused(void) {
  uint16_t port = 0;
  int fd = bind_loopback(&port);
  CHECK(fd >= 0);
  close(fd); /* nothing listens there now */

  hikproto_device *dev = device_at(port, 2000);
  char buf[4096];
  size_t n = 0;
  hikproto_error *err = NULL;
  CHECK_RESULT(hikproto_device_info_json(dev, buf, sizeof buf, &n, &err),
               HIKPROTO_RESULT_TRANSPORT);
  CHECK(err != NULL);
  CHECK(hikproto_error_code(err) == HIKPROTO_RESULT_TRANSPORT);
  CHECK(hikproto_error_is_retryable(err));
  CHECK(hikproto_error_http_status(err) == 0);
  char msg[512];
  CHECK_RESULT(hikproto_error_message(err, msg, sizeof msg, &n), HIKPROTO_RESULT_OK);
  CHECK(strstr(msg, "127.0.0.1") != NULL);
  CHECK(strstr(msg, "Passw0rd") == NULL);
  /* message sizing on the error object */
  size_t needed = 0;
  CHECK_RESULT(hikproto_error_message(err, NULL, 0, &needed), HIKPROTO_RESULT_INSUFFICIENT_SIZE);
  CHECK(needed == n + 1);
  hikproto_error_free(err);
  hikproto_device_free(dev);
}

static void test_timeout(void) {
  uint16_t port = 0;
  int fd = bind_loopback(&port);
  CHECK(fd >= 0 && listen(fd, 8) == 0); /* the kernel completes handshakes; nobody answers */

  hikproto_device *dev = device_at(port, 300);
  hikproto_response *resp = NULL;
  hikproto_error *err = NULL;
  double t0 = now_s();
  CHECK_RESULT(hikproto_device_request(dev, "GET", "/ISAPI/System/deviceInfo", NULL, 0, NULL, 0,
                                       &resp, &err),
               HIKPROTO_RESULT_TIMEOUT);
  double took = now_s() - t0;
  CHECK(took >= 0.25 && took < 5.0);
  CHECK(resp == NULL);
  CHECK(err != NULL && hikproto_error_is_retryable(err));
  print_error("expected timeout", err);
  hikproto_error_free(err);
  hikproto_device_free(dev);
  close(fd);
}

static void on_sigpipe(int sig) { (void)sig; }

int main(void) {
  /* a handler of the program's own must survive the library's SIGPIPE set-up */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigpipe;
  sigaction(SIGPIPE, &sa, NULL);
  test_refused();
  test_timeout();
  struct sigaction now;
  sigaction(SIGPIPE, NULL, &now);
  CHECK(now.sa_handler == on_sigpipe);
  return finish("test_transport");
}
