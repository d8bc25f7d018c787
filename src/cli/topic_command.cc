#include "cli/topic_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/client_flags.h"
#include "cli/topic_admin.h"

namespace sluice::cli {
namespace {

struct topic_state {
  client_options client;
  std::string name;
  int partitions = -1;  // the broker's default
  int replication_factor = -1;
  std::vector<std::string> configs;  // key=value
  std::vector<std::string> delete_configs;
};

result<void> run_create(const topic_state& s) {
  SLUICE_ASSIGN_OR_RETURN(auto configs, split_properties(s.configs, "--config"));
  SLUICE_ASSIGN_OR_RETURN(auto client, make_admin_client(s.client));
  SLUICE_RETURN_IF_ERROR(
      create_topic(client.get(), s.client, s.name, s.partitions, s.replication_factor, configs));
  std::printf("created topic %s\n", s.name.c_str());
  return {};
}

result<void> run_list(const topic_state& s) {
  SLUICE_ASSIGN_OR_RETURN(auto client, make_admin_client(s.client));
  SLUICE_ASSIGN_OR_RETURN(auto names, list_topics(client.get(), s.client));
  for (const auto& n : names) std::printf("%s\n", n.c_str());
  return {};
}

result<void> run_describe(const topic_state& s) {
  SLUICE_ASSIGN_OR_RETURN(auto client, make_admin_client(s.client));
  SLUICE_ASSIGN_OR_RETURN(auto partitions, describe_partitions(client.get(), s.client, s.name));
  SLUICE_ASSIGN_OR_RETURN(auto configs, describe_configs(client.get(), s.client, s.name));
  std::printf("topic %s, %zu partitions\n", s.name.c_str(), partitions.size());
  std::printf("%-10s %-7s %-12s %s\n", "partition", "leader", "low", "high");
  for (const auto& p : partitions)
    std::printf("%-10d %-7d %-12lld %lld\n", p.id, p.leader, static_cast<long long>(p.low),
                static_cast<long long>(p.high));
  std::printf("configs:\n");
  for (const auto& c : configs)
    std::printf("  %s=%s (%s%s)\n", c.name.c_str(), c.value ? c.value->c_str() : "<unset or sensitive>",
                c.source.c_str(), c.read_only ? ", read-only" : "");
  return {};
}

result<void> run_alter(const topic_state& s) {
  SLUICE_ASSIGN_OR_RETURN(auto configs, split_properties(s.configs, "--config"));
  if (configs.empty() && s.delete_configs.empty())
    return fail(errc::invalid_argument, "nothing to alter: give --config key=value or --delete-config key");
  SLUICE_ASSIGN_OR_RETURN(auto client, make_admin_client(s.client));
  SLUICE_RETURN_IF_ERROR(alter_configs(client.get(), s.client, s.name, configs, s.delete_configs));
  std::printf("altered topic %s\n", s.name.c_str());
  return {};
}

result<void> run_delete(const topic_state& s) {
  SLUICE_ASSIGN_OR_RETURN(auto client, make_admin_client(s.client));
  SLUICE_RETURN_IF_ERROR(delete_topic(client.get(), s.client, s.name));
  std::printf("deleted topic %s\n", s.name.c_str());
  return {};
}

using runner = result<void> (*)(const topic_state&);

CLI::App* add_action(CLI::App& topic, const std::shared_ptr<topic_state>& state, int& exit_code,
                     const char* name, const char* description, runner run) {
  auto* cmd = topic.add_subcommand(name, description);
  add_client_flags(*cmd, state->client);
  std::string full = std::string("topic ") + name;
  cmd->callback([state, &exit_code, run, full] {
    auto done = run(*state);
    exit_code = done ? 0 : report(full, done.error());
  });
  return cmd;
}

void add_name(CLI::App& cmd, topic_state& s) { cmd.add_option("name", s.name, "Topic name")->required(); }

}  // namespace

void add_topic_command(CLI::App& app, int& exit_code) {
  auto state = std::make_shared<topic_state>();
  auto& s = *state;
  auto* topic =
      app.add_subcommand("topic", "Create, list, describe, alter and delete topics on a Kafka broker");
  topic->require_subcommand(1);

  auto* create = add_action(*topic, state, exit_code, "create", "Create a topic", run_create);
  add_name(*create, s);
  create->add_option("-p,--partitions", s.partitions, "Number of partitions (default: the broker's)")
      ->check(CLI::PositiveNumber);
  create
      ->add_option("-r,--replication-factor", s.replication_factor,
                   "Replicas per partition (default: the broker's)")
      ->check(CLI::PositiveNumber);
  create->add_option("--config", s.configs, "Topic config key=value (repeatable)");

  add_action(*topic, state, exit_code, "list", "List the topics, one name per line", run_list);

  auto* describe =
      add_action(*topic, state, exit_code, "describe",
                 "Show a topic's partitions (leader, low and high watermarks) and configs", run_describe);
  add_name(*describe, s);

  auto* alter = add_action(*topic, state, exit_code, "alter",
                           "Set or remove topic configs, keeping the other overrides", run_alter);
  add_name(*alter, s);
  alter->add_option("--config", s.configs, "Config to set, key=value (repeatable)");
  alter->add_option("--delete-config", s.delete_configs,
                    "Override to remove, back to the default (repeatable)");

  auto* remove = add_action(*topic, state, exit_code, "delete", "Delete a topic and its data", run_delete);
  add_name(*remove, s);
}

}  // namespace sluice::cli
