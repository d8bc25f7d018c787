#include "cli/group_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/client_flags.h"
#include "cli/datetime.h"
#include "cli/group_admin.h"
#include "cli/json.h"
#include "cli/offset_reset.h"

namespace sluice::cli {
namespace {

struct group_state {
  client_options client;
  std::string group;
  std::string format = "text";
  std::string topic;
  std::vector<std::int32_t> partitions;
  bool to_earliest = false;
  bool to_latest = false;
  std::optional<std::int64_t> to_offset;
  std::optional<std::string> to_datetime;
  bool dry_run = false;
};

// ------------------------------------------------------------------ output helpers

using row = std::vector<std::string>;

// Left-aligned columns, two spaces apart; the last column is not padded.
void print_table(const std::vector<row>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& r : rows) {
    widths.resize(std::max(widths.size(), r.size()));
    for (std::size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], r[i].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line.append(widths[i] - r[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

std::string text_of(const std::optional<std::int64_t>& n) { return n ? std::to_string(*n) : "-"; }

std::string json_of(const std::optional<std::int64_t>& n) { return n ? std::to_string(*n) : "null"; }

std::string json_of(const std::string& s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

void print_json(const std::string& document) { std::printf("%s\n", document.c_str()); }

// t:0,1 u:2
std::string assignment_text(const std::vector<topic_partition>& assignment) {
  std::string out;
  for (std::size_t i = 0; i < assignment.size(); ++i) {
    bool same_topic = i > 0 && assignment[i - 1].topic == assignment[i].topic;
    out += same_topic ? "," : (i > 0 ? " " + assignment[i].topic + ":" : assignment[i].topic + ":");
    out += std::to_string(assignment[i].partition);
  }
  return out.empty() ? "-" : out;
}

std::string partition_json(const topic_partition& tp) {
  return "{\"topic\":" + json_of(tp.topic) + ",\"partition\":" + std::to_string(tp.partition) + "}";
}

// ------------------------------------------------------------------ list

result<void> run_list(const group_state& s) {
  SLUICE_ASSIGN_OR_RETURN(auto client, make_admin_client(s.client));
  SLUICE_ASSIGN_OR_RETURN(auto groups, list_groups(client.get(), s.client));
  if (s.format == "json") {
    std::string out = "[";
    for (const auto& g : groups)
      out += (out.size() > 1 ? "," : "") + std::string("{\"group\":") + json_of(g.id) +
             ",\"state\":" + json_of(g.state) + "}";
    print_json(out + "]");
    return {};
  }
  std::vector<row> rows{{"group", "state"}};
  for (const auto& g : groups) rows.push_back({g.id, g.state});
  print_table(rows);
  return {};
}

// ------------------------------------------------------------------ describe

std::int64_t total_lag(const std::vector<partition_lag>& lags) {
  std::int64_t total = 0;
  for (const auto& l : lags) total += l.lag().value_or(0);
  return total;
}

std::string member_json(const group_member& m) {
  std::string out = "{\"member_id\":" + json_of(m.member_id) + ",\"client_id\":" + json_of(m.client_id) +
                    ",\"host\":" + json_of(m.host) +
                    ",\"instance_id\":" + (m.instance_id ? json_of(*m.instance_id) : "null") +
                    ",\"assignment\":[";
  for (std::size_t i = 0; i < m.assignment.size(); ++i)
    out += (i ? "," : "") + partition_json(m.assignment[i]);
  return out + "]}";
}

std::string lag_json(const partition_lag& l) {
  auto out = partition_json(l.where);
  out.pop_back();
  return out + ",\"committed\":" + json_of(l.committed) + ",\"log_end\":" + json_of(l.log_end) +
         ",\"lag\":" + json_of(l.lag()) + "}";
}

void print_description_json(const group_description& g, const std::vector<partition_lag>& lags) {
  std::string out = "{\"group\":" + json_of(g.id) + ",\"state\":" + json_of(g.state) +
                    ",\"protocol\":" + json_of(g.protocol) + ",\"members\":[";
  for (std::size_t i = 0; i < g.members.size(); ++i) out += (i ? "," : "") + member_json(g.members[i]);
  out += "],\"partitions\":[";
  for (std::size_t i = 0; i < lags.size(); ++i) out += (i ? "," : "") + lag_json(lags[i]);
  print_json(out + "],\"total_lag\":" + std::to_string(total_lag(lags)) + "}");
}

void print_description_text(const group_description& g, const std::vector<partition_lag>& lags) {
  auto n = g.members.size();
  std::printf("group %s: state %s, protocol %s, %zu %s\n", g.id.c_str(), g.state.c_str(),
              g.protocol.empty() ? "-" : g.protocol.c_str(), n, n == 1 ? "member" : "members");
  if (n > 0) {
    std::vector<row> rows{{"member", "client id", "host", "assignment"}};
    for (const auto& m : g.members)
      rows.push_back(
          {m.member_id, m.client_id, m.host.empty() ? "-" : m.host, assignment_text(m.assignment)});
    print_table(rows);
  }
  std::vector<row> rows{{"topic", "partition", "committed", "log end", "lag"}};
  for (const auto& l : lags)
    rows.push_back({l.where.topic, std::to_string(l.where.partition), text_of(l.committed),
                    text_of(l.log_end), text_of(l.lag())});
  print_table(rows);
  std::printf("total lag: %lld\n", static_cast<long long>(total_lag(lags)));
}

result<void> run_describe(const group_state& s) {
  SLUICE_ASSIGN_OR_RETURN(auto client, make_admin_client(s.client));
  SLUICE_ASSIGN_OR_RETURN(auto g, describe_group(client.get(), s.client, s.group));
  SLUICE_ASSIGN_OR_RETURN(auto lags, group_lag(client.get(), s.client, g));
  if (s.format == "json")
    print_description_json(g, lags);
  else
    print_description_text(g, lags);
  return {};
}

// ------------------------------------------------------------------ reset-offsets

result<reset_target> target_of(const group_state& s) {
  int given =
      int{s.to_earliest} + int{s.to_latest} + int{s.to_offset.has_value()} + int{s.to_datetime.has_value()};
  if (given != 1)
    return fail(errc::invalid_argument,
                "give exactly one of --to-earliest, --to-latest, --to-offset N, --to-datetime ISO8601");
  if (s.to_earliest) return reset_target{reset_target::kind::earliest, 0};
  if (s.to_latest) return reset_target{reset_target::kind::latest, 0};
  if (s.to_offset) return reset_target{reset_target::kind::offset, *s.to_offset};
  SLUICE_ASSIGN_OR_RETURN(auto ms, parse_iso8601_ms(*s.to_datetime));
  return reset_target{reset_target::kind::datetime, ms};
}

void print_plan(const group_state& s, const std::vector<reset_step>& plan) {
  if (s.format == "json") {
    std::string out = "{\"group\":" + json_of(s.group) + ",\"topic\":" + json_of(s.topic) +
                      ",\"dry_run\":" + (s.dry_run ? "true" : "false") + ",\"partitions\":[";
    for (std::size_t i = 0; i < plan.size(); ++i)
      out += std::string(i ? "," : "") + "{\"partition\":" + std::to_string(plan[i].partition) +
             ",\"current\":" + json_of(plan[i].current) + ",\"new\":" + std::to_string(plan[i].next) + "}";
    print_json(out + "]}");
    return;
  }
  std::vector<row> rows{{"topic", "partition", "current", "new"}};
  for (const auto& step : plan)
    rows.push_back(
        {s.topic, std::to_string(step.partition), text_of(step.current), std::to_string(step.next)});
  print_table(rows);
  if (s.dry_run)
    std::printf("dry run: the offsets of group %s were not changed\n", s.group.c_str());
  else
    std::printf("reset the offsets of group %s on %zu %s of %s\n", s.group.c_str(), plan.size(),
                plan.size() == 1 ? "partition" : "partitions", s.topic.c_str());
}

result<void> run_reset(const group_state& s) {
  SLUICE_ASSIGN_OR_RETURN(auto target, target_of(s));
  SLUICE_ASSIGN_OR_RETURN(auto client, make_admin_client(s.client));
  SLUICE_RETURN_IF_ERROR(require_no_members(client.get(), s.client, s.group));
  SLUICE_ASSIGN_OR_RETURN(auto plan,
                          plan_reset(client.get(), s.client, s.group, s.topic, s.partitions, target));
  if (!s.dry_run) {
    std::vector<committed_offset> offsets;
    for (const auto& step : plan) offsets.push_back({{s.topic, step.partition}, step.next});
    SLUICE_RETURN_IF_ERROR(alter_group_offsets(client.get(), s.client, s.group, offsets));
  }
  print_plan(s, plan);
  return {};
}

// ------------------------------------------------------------------ delete

result<void> run_delete(const group_state& s) {
  SLUICE_ASSIGN_OR_RETURN(auto client, make_admin_client(s.client));
  SLUICE_RETURN_IF_ERROR(delete_group(client.get(), s.client, s.group));
  std::printf("deleted group %s\n", s.group.c_str());
  return {};
}

// ------------------------------------------------------------------ wiring

using runner = result<void> (*)(const group_state&);

CLI::App* add_action(CLI::App& group, const std::shared_ptr<group_state>& state, int& exit_code,
                     const char* name, const char* description, runner run) {
  auto* cmd = group.add_subcommand(name, description);
  add_client_flags(*cmd, state->client);
  std::string full = std::string("group ") + name;
  cmd->callback([state, &exit_code, run, full] {
    auto done = run(*state);
    exit_code = done ? 0 : report(full, done.error());
  });
  return cmd;
}

void add_name(CLI::App& cmd, group_state& s) {
  cmd.add_option("group", s.group, "Consumer group id")->required();
}

void add_format(CLI::App& cmd, group_state& s) {
  cmd.add_option("--format", s.format, "text: aligned columns; json: one JSON document")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
}

void add_reset_flags(CLI::App& cmd, group_state& s) {
  cmd.add_option("-t,--topic", s.topic, "Topic whose committed offsets move")->required();
  cmd.add_option("-p,--partition", s.partitions, "Only this partition (repeatable; default: all)")
      ->check(CLI::NonNegativeNumber);
  cmd.add_flag("--to-earliest", s.to_earliest, "To each partition's first offset (log start)");
  cmd.add_flag("--to-latest", s.to_latest, "To each partition's log end: skip everything not yet read");
  cmd.add_option_function<std::int64_t>(
      "--to-offset", [&s](std::int64_t n) { s.to_offset = n; },
      "To offset N (moved into [log start, log end] where it is outside)");
  cmd.add_option_function<std::string>(
      "--to-datetime", [&s](const std::string& t) { s.to_datetime = t; },
      "To the first record with a timestamp at or after this ISO 8601 time (UTC unless a zone "
      "is given, e.g. 2024-05-01T12:00:00Z); the log end where there is none");
  cmd.add_flag("--dry-run", s.dry_run, "Print the plan without committing it");
}

}  // namespace

void add_group_command(CLI::App& app, int& exit_code) {
  auto state = std::make_shared<group_state>();
  auto& s = *state;
  auto* group =
      app.add_subcommand("group", "List, describe, reset the offsets of and delete consumer groups");
  group->require_subcommand(1);

  auto* list =
      add_action(*group, state, exit_code, "list", "List the consumer groups and their states", run_list);
  add_format(*list, s);

  auto* describe =
      add_action(*group, state, exit_code, "describe",
                 "Show a group's state, members and assignments, and per partition the committed "
                 "offset, log end offset and lag",
                 run_describe);
  add_name(*describe, s);
  add_format(*describe, s);

  auto* reset = add_action(*group, state, exit_code, "reset-offsets",
                           "Move a group's committed offsets on a topic; only while the group has no members",
                           run_reset);
  add_name(*reset, s);
  add_reset_flags(*reset, s);
  add_format(*reset, s);

  auto* remove = add_action(*group, state, exit_code, "delete",
                            "Delete a group without members, with its committed offsets", run_delete);
  add_name(*remove, s);
}

}  // namespace sluice::cli
