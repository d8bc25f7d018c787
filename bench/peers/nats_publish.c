/* bench/peers/nats_publish.c — the NATS JetStream side of bench/run-kafka.sh: creates a file-backed
 * stream, publishes N messages of SIZE bytes with js_PublishAsync (at most MAX_PENDING unacknowledged),
 * waits until every one is acknowledged, and prints one line:
 *   acked=<n> failed=<n> seconds=<s> msgs_per_s=<r>
 * Usage: nats_publish URL COUNT SIZE [MAX_PENDING [STREAM]]; the subject is the stream's name. */
#include <nats/nats.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static atomic_long acked;
static atomic_long failed;

static void on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure) {
  (void)js;
  (void)closure;
  if (pa != NULL && pae == NULL)
    atomic_fetch_add(&acked, 1);
  else
    atomic_fetch_add(&failed, 1);
  natsMsg_Destroy(msg);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(natsStatus s, const char *what) {
  if (s == NATS_OK) return;
  fprintf(stderr, "nats_publish: %s: %s\n", what, natsStatus_GetText(s));
  nats_PrintLastErrorStack(stderr);
  exit(1);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s URL COUNT SIZE [MAX_PENDING [STREAM]]\n", argv[0]);
    return 2;
  }
  const char *url = argv[1];
  long count = atol(argv[2]);
  int size = atoi(argv[3]);
  long max_pending = argc > 4 ? atol(argv[4]) : 4096;
  const char *stream = argc > 5 ? argv[5] : "bench";
  natsConnection *nc = NULL;
  jsCtx *js = NULL;
  check(natsConnection_ConnectTo(&nc, url), "connect");

  jsOptions jo;
  jsOptions_Init(&jo);
  jo.PublishAsync.MaxPending = max_pending;
  jo.PublishAsync.AckHandler = on_ack;
  jo.PublishAsync.StallWait = 10000;
  check(natsConnection_JetStream(&js, nc, &jo), "jetstream context");

  const char *subjects[] = {stream};
  jsStreamConfig sc;
  jsStreamConfig_Init(&sc);
  sc.Name = stream;
  sc.Subjects = subjects;
  sc.SubjectsLen = 1;
  sc.Storage = js_FileStorage;
  jsErrCode jerr = 0;
  check(js_AddStream(NULL, js, &sc, NULL, &jerr), "create stream");

  char *payload = malloc((size_t)size);
  for (int i = 0; i < size; ++i) payload[i] = "sluice benchmark record payload 0123456789 "[i % 43];
  double start = now_s();
  for (long i = 0; i < count; ++i) check(js_PublishAsync(js, stream, payload, size, NULL), "publish");
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = 60000;
  check(js_PublishAsyncComplete(js, &po), "wait for acknowledgements");
  double seconds = now_s() - start;
  long ok = atomic_load(&acked);
  printf("acked=%ld failed=%ld seconds=%.3f msgs_per_s=%.0f\n", ok, atomic_load(&failed), seconds,
         (double)ok / seconds);

  free(payload);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  nats_Close();
  return atomic_load(&failed) > 0 ? 1 : 0;
}
