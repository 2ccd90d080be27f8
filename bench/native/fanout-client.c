/*
 * One process of the fan-out benchmark's load generator, in C (bench/fanout-clients.ts starts it
 * when a C compiler is at hand; else its Node twin, bench/fanout-client-child.ts). Why C: the
 * clients share the gateway's two cores, and in Node each delivered frame cost them ~16 µs of CPU,
 * more than the gateway spent sending it; here it is mostly the kernel's read.
 *
 * stdin, from the parent: a line "<host> <port> <path> <sockets>", then one line per subscription,
 * "<socket index> <graphql-transport-ws subscribe message>". Each socket connects, upgrades to a
 * websocket (graphql-transport-ws), sends connection_init and, on connection_ack, its subscribe
 * messages. stdout, to the parent: records of four native doubles, [type, t, receivedAt, error]:
 * type is an index into FRAME_TYPES (-1: another), t the write's `t` (NaN: none), receivedAt the
 * CLOCK_MONOTONIC reading in ms when the frame was read, error 1 for an error. A first record of
 * type READY_RECORD says that every subscription has had its first `next`; after that, every `next`
 * and error is reported, flushed at most every FLUSH_MS. When stdin ends, the sockets are closed
 * and the process exits.
 *
 * Server frames are expected unfragmented and unmasked (what the gateway sends); the handshake's
 * status line is checked, not its Sec-WebSocket-Accept.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* bench/fanout-clients.ts's READY_RECORD. */
#define READY_RECORD -2.0
#define FLUSH_MS 25.0
#define RECORDS 4096
#define MAX_FRAME (1 << 20)
/* epoll's mark for stdin (a socket's is its index). */
#define STDIN_EVENT UINT64_MAX

/* The event types, numbered as bench/fanout-clients.ts's FRAME_TYPES numbers them. */
static const char *FRAME_TYPES[] = {"RESET", "INITIAL", "READY", "ADD", "CHANGE", "REMOVE", "MOVE"};

struct client {
  int fd;
  /* The subscribe messages, and how many have had their first `next`. */
  char **subscribes;
  int subscribe_count;
  int started;
  /* Ids seen in a first `next` (ids are "1", "2", …: subscribe_count flags). */
  unsigned char *started_ids;
  /* Bytes of a frame not complete yet. */
  unsigned char *pending;
  size_t pending_length;
};

static struct client *clients;
static int client_count;
static int unstarted;
static double records[RECORDS * 4];
static int record_count;
static double last_flush;

static void die(const char *what) {
  perror(what);
  exit(1);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void write_all(int fd, const void *data, size_t length) {
  const char *at = data;
  while (length > 0) {
    ssize_t written = write(fd, at, length);
    if (written < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        struct pollfd wait = {.fd = fd, .events = POLLOUT};
        poll(&wait, 1, 1000);
        continue;
      }
      die("write");
    }
    at += written;
    length -= (size_t)written;
  }
}

static void flush_records(void) {
  if (record_count > 0) write_all(STDOUT_FILENO, records, (size_t)record_count * 4 * sizeof(double));
  record_count = 0;
  last_flush = now_ms();
}

static void record(double type, double t, double received_at, double error) {
  if (record_count == RECORDS) flush_records();
  double *slot = &records[record_count++ * 4];
  slot[0] = type;
  slot[1] = t;
  slot[2] = received_at;
  slot[3] = error;
}

/* A masked, final client frame (clients must mask: RFC 6455 §5.3). */
static void send_frame(int fd, int opcode, const char *payload, size_t length) {
  unsigned char header[14];
  size_t at = 0;
  header[at++] = (unsigned char)(0x80 | opcode);
  if (length < 126) {
    header[at++] = (unsigned char)(0x80 | length);
  } else if (length < 65536) {
    header[at++] = 0x80 | 126;
    header[at++] = (unsigned char)(length >> 8);
    header[at++] = (unsigned char)length;
  } else {
    header[at++] = 0x80 | 127;
    for (int shift = 56; shift >= 0; shift -= 8) header[at++] = (unsigned char)((uint64_t)length >> shift);
  }
  unsigned char mask[4] = {(unsigned char)rand(), (unsigned char)rand(), (unsigned char)rand(), (unsigned char)rand()};
  memcpy(header + at, mask, 4);
  at += 4;
  unsigned char *frame = malloc(at + length);
  if (!frame) die("malloc");
  memcpy(frame, header, at);
  for (size_t i = 0; i < length; i++) frame[at + i] = (unsigned char)payload[i] ^ mask[i & 3];
  write_all(fd, frame, at + length);
  free(frame);
}

/* Where `needle` starts in `text[0, length)`, or NULL. */
static const char *find(const char *text, size_t length, const char *needle) {
  return memmem(text, length, needle, strlen(needle));
}

/* The text after `marker` up to the next `,`, `}` or `"`, copied into `out` (NUL-terminated); 0 when absent. */
static int value_after(const char *text, size_t length, const char *marker, char *out, size_t out_size) {
  const char *at = find(text, length, marker);
  if (!at) return 0;
  const char *start = at + strlen(marker), *end = start, *limit = text + length;
  while (end < limit && *end != ',' && *end != '}' && *end != '"') end++;
  size_t n = (size_t)(end - start) < out_size - 1 ? (size_t)(end - start) : out_size - 1;
  memcpy(out, start, n);
  out[n] = 0;
  return 1;
}

/* One text message of `client`. */
static void on_text(struct client *client, const char *text, size_t length, double received_at) {
  const char *payload = find(text, length, "\"payload\":");
  size_t head = payload ? (size_t)(payload - text) : length;
  if (find(text, head, "\"type\":\"connection_ack\"")) {
    for (int i = 0; i < client->subscribe_count; i++) send_frame(client->fd, 0x1, client->subscribes[i], strlen(client->subscribes[i]));
    return;
  }
  if (find(text, head, "\"type\":\"error\"")) return record(-1, NAN, received_at, 1);
  char id[16];
  if (!find(text, head, "\"type\":\"next\"") || !value_after(text, head, "\"id\":\"", id, sizeof id)) return;
  int index = atoi(id) - 1;
  if (index >= 0 && index < client->subscribe_count && !client->started_ids[index]) {
    client->started_ids[index] = 1;
    if (++client->started == client->subscribe_count && --unstarted == 0) {
      record(READY_RECORD, NAN, received_at, 0);
      flush_records();
    }
    return;
  }
  const char *result = text + head;
  size_t rest = length - head;
  char type[16], t[40];
  double type_index = -1;
  if (value_after(result, rest, "\"type\":\"", type, sizeof type))
    for (size_t i = 0; i < sizeof FRAME_TYPES / sizeof *FRAME_TYPES; i++)
      if (strcmp(type, FRAME_TYPES[i]) == 0) type_index = (double)i;
  record(type_index, value_after(result, rest, "\"t\":", t, sizeof t) ? strtod(t, NULL) : NAN, received_at, find(result, rest, "\"errors\"") ? 1 : 0);
}

/* Handles every complete frame in `data` (after what is pending); keeps the incomplete rest. */
static void on_bytes(struct client *client, unsigned char *data, size_t length, double received_at) {
  if (client->pending_length > 0) {
    unsigned char *joined = realloc(client->pending, client->pending_length + length);
    if (!joined) die("realloc");
    memcpy(joined + client->pending_length, data, length);
    client->pending = NULL;
    length += client->pending_length;
    client->pending_length = 0;
    on_bytes(client, joined, length, received_at);
    free(joined);
    return;
  }
  size_t at = 0;
  while (length - at >= 2) {
    unsigned char first = data[at], second = data[at + 1];
    size_t header = 2;
    uint64_t size = second & 0x7f;
    if (size == 126) {
      if (length - at < 4) break;
      size = (uint64_t)data[at + 2] << 8 | data[at + 3];
      header = 4;
    } else if (size == 127) {
      if (length - at < 10) break;
      size = 0;
      for (int i = 0; i < 8; i++) size = size << 8 | data[at + 2 + i];
      header = 10;
    }
    if ((first & 0x80) == 0 || (second & 0x80) != 0 || size > MAX_FRAME) {
      fprintf(stderr, "fanout-client: a fragmented, masked or oversized frame from the server\n");
      exit(1);
    }
    if (length - at < header + size) break;
    char *payload = (char *)data + at + header;
    int opcode = first & 0x0f;
    if (opcode == 0x1) on_text(client, payload, (size_t)size, received_at);
    else if (opcode == 0x9) send_frame(client->fd, 0xa, payload, (size_t)size);
    else if (opcode == 0x8) shutdown(client->fd, SHUT_WR);
    at += header + (size_t)size;
  }
  if (at < length) {
    client->pending = malloc(length - at);
    if (!client->pending) die("malloc");
    memcpy(client->pending, data + at, length - at);
    client->pending_length = length - at;
  }
}

/* Connects and upgrades one socket (blocking), sends connection_init; any bytes after the response go to on_bytes. */
static void open_client(struct client *client, const char *host, int port, const char *path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &address.sin_addr) != 1) die("inet_pton");
  if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0) die("connect");
  char request[512];
  int n = snprintf(request, sizeof request,
                   "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: cmV0aGlua3FsLWJlbmNoLQ==\r\nSec-WebSocket-Version: 13\r\n"
                   "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n",
                   path, host, port);
  write_all(fd, request, (size_t)n);
  char response[4096];
  size_t length = 0;
  char *end = NULL;
  while (!end) {
    ssize_t got = read(fd, response + length, sizeof response - 1 - length);
    if (got <= 0) die("websocket upgrade: read");
    length += (size_t)got;
    response[length] = 0;
    end = strstr(response, "\r\n\r\n");
    if (!end && length == sizeof response - 1) die("websocket upgrade: response too long");
  }
  if (strncmp(response, "HTTP/1.1 101", 12) != 0) {
    fprintf(stderr, "fanout-client: websocket upgrade refused: %.*s\n", (int)(end - response), response);
    exit(1);
  }
  client->fd = fd;
  const char *init = "{\"type\":\"connection_init\"}";
  send_frame(fd, 0x1, init, strlen(init));
  size_t head = (size_t)(end - response) + 4;
  if (head < length) on_bytes(client, (unsigned char *)response + head, length - head, now_ms());
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Reads the parent's orders (see the top of this file). */
static void read_orders(char host[64], int *port, char path[256]) {
  char *line = NULL;
  size_t size = 0;
  if (getline(&line, &size, stdin) <= 0 || sscanf(line, "%63s %d %255s %d", host, port, path, &client_count) != 4) {
    fprintf(stderr, "fanout-client: expected '<host> <port> <path> <sockets>'\n");
    exit(1);
  }
  clients = calloc((size_t)client_count, sizeof *clients);
  if (!clients) die("calloc");
  ssize_t got;
  while ((got = getline(&line, &size, stdin)) > 0) {
    if (line[got - 1] == '\n') line[--got] = 0;
    if (got == 0) break; /* an empty line ends the subscriptions */
    char *message;
    long index = strtol(line, &message, 10);
    if (index < 0 || index >= client_count || *message != ' ') {
      fprintf(stderr, "fanout-client: bad subscription line\n");
      exit(1);
    }
    struct client *client = &clients[index];
    client->subscribes = realloc(client->subscribes, (size_t)(client->subscribe_count + 1) * sizeof *client->subscribes);
    if (!client->subscribes) die("realloc");
    client->subscribes[client->subscribe_count++] = strdup(message + 1);
  }
  free(line);
  for (int i = 0; i < client_count; i++) {
    clients[i].started_ids = calloc((size_t)clients[i].subscribe_count + 1, 1);
    if (clients[i].subscribe_count > 0) unstarted++;
  }
}

int main(void) {
  char host[64], path[256];
  int port;
  read_orders(host, &port, path);
  int epoll = epoll_create1(0);
  if (epoll < 0) die("epoll_create1");
  struct epoll_event event = {.events = EPOLLIN, .data.u64 = STDIN_EVENT};
  if (epoll_ctl(epoll, EPOLL_CTL_ADD, STDIN_FILENO, &event) < 0) die("epoll_ctl stdin");
  for (int i = 0; i < client_count; i++) {
    open_client(&clients[i], host, port, path);
    struct epoll_event socket_event = {.events = EPOLLIN, .data.u64 = (uint64_t)i};
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, clients[i].fd, &socket_event) < 0) die("epoll_ctl socket");
  }
  static unsigned char buffer[1 << 16];
  struct epoll_event ready[256];
  last_flush = now_ms();
  for (;;) {
    int count = epoll_wait(epoll, ready, 256, record_count > 0 ? (int)FLUSH_MS : -1);
    if (count < 0 && errno != EINTR) die("epoll_wait");
    for (int i = 0; i < count; i++) {
      if (ready[i].data.u64 == STDIN_EVENT) {
        /* stdin ended (or sent anything): close every socket and leave. */
        flush_records();
        for (int j = 0; j < client_count; j++) {
          send_frame(clients[j].fd, 0x8, "\x03\xe8", 2);
          close(clients[j].fd);
        }
        return 0;
      }
      struct client *client = &clients[ready[i].data.u64];
      ssize_t got = read(client->fd, buffer, sizeof buffer);
      double received_at = now_ms();
      if (got > 0) on_bytes(client, buffer, (size_t)got, received_at);
      else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        record(-1, NAN, received_at, 1);
        epoll_ctl(epoll, EPOLL_CTL_DEL, client->fd, NULL);
      }
    }
    if (record_count > 0 && now_ms() - last_flush >= FLUSH_MS) flush_records();
  }
}
