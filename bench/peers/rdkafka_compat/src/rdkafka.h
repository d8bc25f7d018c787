/* bench/peers/rdkafka_compat/src/rdkafka.h — the example includes "rdkafka.h" as inside
 * librdkafka's source tree; outside it, that is the installed header. */
#include <librdkafka/rdkafka.h>
