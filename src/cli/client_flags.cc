#include "cli/client_flags.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/kafka_client.h"

namespace sluice::cli {

void add_client_flags(CLI::App& command, client_options& options) {
  command.add_option("-b,--bootstrap-server", options.bootstrap, "Kafka broker(s), host:port[,host:port...]")
      ->envname("SLUICE_BOOTSTRAP")
      ->capture_default_str();
  command.add_option("-X", options.properties,
                     "librdkafka property key=value, applied last (repeatable), e.g. -X debug=broker");
  command
      .add_option_function<std::int64_t>(
          "--timeout-ms", [&options](std::int64_t ms) { options.timeout = std::chrono::milliseconds(ms); },
          "How long to wait for the broker to answer [default: 10000]")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3600000}));
}

int report(const std::string& command, const error& e) {
  std::fprintf(stderr, "sluice %s: %s\n", command.c_str(), e.message.c_str());
  return e.code == errc::invalid_argument || e.code == errc::invalid_config ? exit_usage : exit_failure;
}

}  // namespace sluice::cli
