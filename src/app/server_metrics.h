// app/server_metrics.h — the metrics a running server reports at scrape time from numbers its
// components already keep: partition offsets and sizes (storage), consumer groups and their lag
// (group), open connections (the Kafka and Postgres listeners), and the process (uptime, start time,
// version). Each function registers a collector in the default registry; the handle removes it, so
// it must go before the component it reads.
#pragma once

#include "metrics/registry.h"

namespace sluice::net {
class server;
}
namespace sluice::pgwire {
class listener;
}

namespace sluice::app {

struct services;

// Storage, groups and process metrics of `s`.
metrics::collector_handle collect_server_metrics(const services& s);
// sluice_connections{listener="kafka"|"postgres"}.
metrics::collector_handle collect_connections(const net::server& kafka, const pgwire::listener& pg);

}  // namespace sluice::app
