#include "demo/pipelines.h"

#include <spdlog/spdlog.h>

#include "demo/pipelines_text.h"
#include "engine/engine.h"

namespace sluice::demo {
namespace {

std::string trimmed(std::string_view s) {
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

// The statement's first line, for messages.
std::string headline(const std::string& statement) { return statement.substr(0, statement.find('\n')); }

}  // namespace

std::string_view pipelines_sql() { return pipelines_text::main; }
std::string_view layered_pipelines_sql() { return pipelines_text::layered; }

std::vector<std::string> split_statements(std::string_view script) {
  std::vector<std::string> out;
  std::string current;
  bool quoted = false;
  for (std::size_t i = 0; i < script.size(); ++i) {
    char c = script[i];
    if (!quoted && c == '-' && i + 1 < script.size() && script[i + 1] == '-') {
      i = script.find('\n', i);
      if (i == std::string_view::npos) break;
      current += '\n';
      continue;
    }
    if (c == '\'') quoted = !quoted;
    if (!quoted && c == ';') {
      if (auto s = trimmed(current); !s.empty()) out.push_back(std::move(s));
      current.clear();
      continue;
    }
    current += c;
  }
  if (auto s = trimmed(current); !s.empty()) out.push_back(std::move(s));
  return out;
}

result<pipelines_outcome> apply_pipelines(engine::engine& engine) {
  pipelines_outcome outcome;
  outcome.fresh = !engine.view_columns("revenue_per_minute").has_value();
  auto session = engine.open_session();
  for (const auto& statement : split_statements(pipelines_sql())) {
    auto done = session->execute(statement);
    if (!done)
      return fail(errc::invalid_config, "demo pipeline `" + headline(statement) +
                                            "` failed: " + done.error().code + " " + done.error().message);
  }
  for (const auto& statement : split_statements(layered_pipelines_sql())) {
    auto done = session->execute(statement);
    if (done) {
      ++outcome.layered_created;
      continue;
    }
    // The extras never keep the demo from starting: any other error is worth a warning only.
    ++outcome.layered_skipped;
    if (done.error().code != sql::sqlstate::feature_not_supported)
      spdlog::warn("demo: skipped `{}`: {} {}", headline(statement), done.error().code, done.error().message);
  }
  return outcome;
}

}  // namespace sluice::demo
