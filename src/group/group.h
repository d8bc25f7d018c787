// group/group.h — one consumer group under Kafka's classic rebalance protocol: its members, the
// generation, the chosen protocol and leader, the assignments, and the group's committed offsets.
//
// States (Kafka's names): Empty → PreparingRebalance → CompletingRebalance → Stable, and Dead once
// deleted. A JoinGroup (new member, changed protocols, or the leader rejoining), a LeaveGroup or a
// member's session expiring starts a rebalance. The rebalance completes when every member has rejoined
// or the rebalance timeout (the members' largest) fires; members that did not rejoin are removed. The
// first rebalance of an empty group waits `initial_rebalance_delay` so members starting together land
// in one generation. Completion bumps the generation, picks the protocol every member supports with the
// most first-choice votes, keeps the leader if it rejoined, and answers every pending JoinGroup (the
// leader's answer lists the members). The leader's SyncGroup carries the assignments; it moves the group
// to Stable and answers every pending SyncGroup. Assigning partitions is the clients' job, so eager and
// cooperative assignors both work.
//
// Invariants: a member id is in at most one of members_ and pending_; static_members_ maps each
// group.instance.id to the member id in members_ that holds it; leader_ is a member id of members_
// whenever the state is CompletingRebalance or Stable; a JoinGroup/SyncGroup callback is called exactly
// once (answered, or failed when its member is removed or the group moves on).
//
// Threading: every method may be called from any thread; one mutex guards the group. Timers (session
// expiry, rebalance timeout) run on the io_context given at construction and take the same mutex; a
// timer that fires after being re-armed or cancelled is recognised by its epoch and ignored. Callbacks
// answering clients are collected under the mutex and called after it is released, so a callback may
// call back into the group.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "group/timer.h"
#include "kafka/protocol/error_code.h"

namespace sluice::group {

using bytes = std::vector<std::byte>;

// Two classic group error codes missing from the generated table.
inline constexpr auto inconsistent_group_protocol = static_cast<kafka::error_code>(23);
inline constexpr auto invalid_session_timeout = static_cast<kafka::error_code>(26);

enum class group_state { empty, preparing_rebalance, completing_rebalance, stable, dead };
std::string_view state_name(group_state state);

struct group_settings {
  std::chrono::milliseconds initial_rebalance_delay{100};  // Kafka: group.initial.rebalance.delay.ms
  std::int32_t min_session_timeout_ms = 1000;              // Kafka: group.min.session.timeout.ms
  std::int32_t max_session_timeout_ms = 1800000;           // Kafka: group.max.session.timeout.ms
  std::size_t max_metadata_bytes = 4096;                   // Kafka: offset.metadata.max.bytes
};

struct protocol {
  std::string name;
  bytes metadata;
};

struct join_request {
  std::string member_id;  // empty for a member joining the first time
  std::optional<std::string> instance_id;
  std::string client_id;
  std::int32_t session_timeout_ms = 0;
  std::int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<protocol> protocols;
  bool require_known_member_id = false;  // JoinGroup v4+: MEMBER_ID_REQUIRED round trip
};

struct join_member {
  std::string member_id;
  std::optional<std::string> instance_id;
  bytes metadata;
};

struct join_result {
  kafka::error_code error = kafka::error_code::none;
  std::int32_t generation = -1;
  std::string protocol_type;
  std::string protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<join_member> members;  // only for the leader
};

inline join_result join_error(kafka::error_code error, std::string member_id) {
  join_result r;
  r.error = error;
  r.member_id = std::move(member_id);
  return r;
}

struct sync_request {
  std::int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> instance_id;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::vector<std::pair<std::string, bytes>> assignments;  // the leader's: member id → assignment
};

struct sync_result {
  kafka::error_code error = kafka::error_code::none;
  std::string protocol_type;
  std::string protocol_name;
  bytes assignment;
};

inline sync_result sync_error(kafka::error_code error) {
  sync_result r;
  r.error = error;
  return r;
}

struct member_identity {
  std::string member_id;  // may be empty when instance_id is set
  std::optional<std::string> instance_id;
};

struct topic_partition {
  std::string topic;
  std::int32_t partition = 0;
  auto operator<=>(const topic_partition&) const = default;
};

struct committed_offset {
  std::int64_t offset = -1;
  std::int32_t leader_epoch = -1;
  std::string metadata;
  std::int64_t commit_timestamp = -1;
  bool operator==(const committed_offset&) const = default;
};

// What survives a restart besides the offsets: the generation, so members of the previous run are told
// UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION and rejoin into a newer one.
struct group_metadata {
  std::string protocol_type;
  std::int32_t generation = 0;
  std::string protocol_name;
  bool operator==(const group_metadata&) const = default;
};

struct member_summary {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  bytes metadata;  // for the chosen protocol
  bytes assignment;
};

struct group_summary {
  group_state state = group_state::dead;
  std::string protocol_type;
  std::string protocol_name;
  std::int32_t generation = 0;
  std::string leader;
  std::vector<member_summary> members;
};

// Writes commits and group metadata durably before they take effect (the offsets topic). Called with
// the group's mutex held, so writes of one group are ordered as their effects are.
struct group_store {
  virtual ~group_store() = default;
  virtual result<void> write_offsets(
      const std::string& group,
      const std::vector<std::pair<topic_partition, std::optional<committed_offset>>>& offsets) = 0;
  virtual result<void> write_metadata(const std::string& group,
                                      const std::optional<group_metadata>& meta) = 0;
};

class group : public std::enable_shared_from_this<group> {
 public:
  using join_callback = std::function<void(join_result)>;
  using sync_callback = std::function<void(sync_result)>;

  // `store` may be null (nothing is persisted); it and `io` must outlive the group.
  group(std::string id, boost::asio::io_context& io, group_settings settings, group_store* store);
  ~group();
  group(const group&) = delete;
  group& operator=(const group&) = delete;

  const std::string& id() const { return id_; }

  void join(join_request request, join_callback done);
  void sync(sync_request request, sync_callback done);
  kafka::error_code heartbeat(std::int32_t generation, const std::string& member_id,
                              const std::optional<std::string>& instance_id);
  // One error per identity, in order.
  std::vector<kafka::error_code> leave(const std::vector<member_identity>& members);

  // OffsetCommit: checks membership and generation (Kafka's rules: generation -1 commits only to an
  // empty group), then writes and applies every offset. The error applies to every partition.
  kafka::error_code commit(std::int32_t generation, const std::string& member_id,
                           const std::optional<std::string>& instance_id,
                           const std::vector<std::pair<topic_partition, committed_offset>>& offsets);
  std::optional<committed_offset> committed(const topic_partition& tp) const;
  std::map<topic_partition, committed_offset> all_committed() const;
  // OffsetDelete: GROUP_SUBSCRIBED_TO_TOPIC for topics a member subscribes to.
  std::vector<kafka::error_code> delete_offsets(const std::vector<topic_partition>& partitions);
  // DeleteGroups: NON_EMPTY_GROUP with members; otherwise deletes offsets and metadata, state Dead.
  kafka::error_code remove();

  group_summary describe() const;
  group_state state() const;
  // Empty with no offsets and no history: nothing to list or describe.
  bool vacant() const;

  // Replaying the offsets topic at startup (before any client request).
  void restore_offset(const topic_partition& tp, std::optional<committed_offset> offset);
  void restore_metadata(const std::optional<group_metadata>& meta);

 private:
  struct member;
  using deferred = std::vector<std::function<void()>>;

  void join_new_member(join_request& request, join_callback& done, deferred& out);
  void join_known_member(join_request& request, join_callback& done, deferred& out);
  void replace_static_member(std::string old_id, join_request& request, join_callback& done, deferred& out);
  void rejoin_static_member(std::unique_ptr<member> m, join_request& request, join_callback& done,
                            deferred& out);
  void add_member(const std::string& member_id, join_request& request, join_callback& done, deferred& out);
  void update_member(member& m, join_request& request, join_callback& done, deferred& out);
  bool protocols_match(const member& m, const join_request& request) const;
  bool supports(const join_request& request) const;
  void prepare_rebalance(deferred& out);
  void maybe_complete_join(deferred& out);
  void complete_join(deferred& out);
  std::string select_protocol() const;
  join_result join_answer(const member& m) const;
  void remove_member(const std::string& member_id, deferred& out);
  void on_members_removed(deferred& out);
  void schedule_session(member& m);
  void schedule_pending(const std::string& member_id, std::int32_t session_timeout_ms);
  void on_session_expired(const std::string& member_id, std::uint64_t epoch);
  void on_join_timeout(std::uint64_t epoch);
  kafka::error_code check_static(const std::string& member_id,
                                 const std::optional<std::string>& instance_id) const;
  bool subscribed_to(const std::string& topic) const;
  void persist_metadata();
  static void run(deferred& out);

  const std::string id_;
  boost::asio::io_context& io_;
  const group_settings settings_;
  group_store* const store_;

  mutable std::mutex mu_;  // guards everything below
  group_state state_ = group_state::empty;
  std::int32_t generation_ = 0;
  std::string protocol_type_;
  std::string protocol_name_;
  std::string leader_;
  std::map<std::string, std::unique_ptr<member>> members_;
  std::map<std::string, std::unique_ptr<timer>> pending_;  // MEMBER_ID_REQUIRED issued, not joined yet
  std::map<std::string, std::string> static_members_;      // group.instance.id → member id
  std::map<topic_partition, committed_offset> offsets_;
  timer join_timer_;
  std::uint64_t join_epoch_ = 0;
  bool initial_join_ = false;  // the running rebalance started from Empty: wait the full delay
  std::uint64_t next_member_ = 0;
};

}  // namespace sluice::group
