#include "group/group.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <set>

#include "kafka/protocol/generated/consumer_protocol_subscription.h"

namespace sluice::group {

using kafka::error_code;

struct group::member {
  member(std::string member_id, boost::asio::io_context& io) : id(std::move(member_id)), session(io) {}

  std::string id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::int32_t session_timeout_ms = 0;
  std::int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<protocol> protocols;
  bytes assignment;
  join_callback awaiting_join;
  sync_callback awaiting_sync;
  timer session;
  std::uint64_t session_epoch = 0;

  const bytes* metadata_for(const std::string& name) const {
    for (const auto& p : protocols)
      if (p.name == name) return &p.metadata;
    return nullptr;
  }
};

std::string_view state_name(group_state state) {
  switch (state) {
    case group_state::empty:
      return "Empty";
    case group_state::preparing_rebalance:
      return "PreparingRebalance";
    case group_state::completing_rebalance:
      return "CompletingRebalance";
    case group_state::stable:
      return "Stable";
    case group_state::dead:
      return "Dead";
  }
  return "Dead";
}

group::group(std::string id, boost::asio::io_context& io, group_settings settings, group_store* store)
    : id_(std::move(id)), io_(io), settings_(settings), store_(store), join_timer_(io) {}

group::~group() = default;

void group::run(deferred& out) {
  for (auto& f : out) f();
}

// ------------------------------------------------------------------------------------------ JoinGroup

void group::join(join_request request, join_callback done) {
  deferred out;
  {
    std::lock_guard lock(mu_);
    auto fail = [&](error_code e) {
      out.push_back([done, e, id = request.member_id] { done(join_error(e, id)); });
    };
    if (state_ == group_state::dead) {
      fail(error_code::coordinator_not_available);
    } else if (request.session_timeout_ms < settings_.min_session_timeout_ms ||
               request.session_timeout_ms > settings_.max_session_timeout_ms) {
      fail(invalid_session_timeout);
    } else if (request.protocol_type.empty() || request.protocols.empty() || !supports(request)) {
      fail(inconsistent_group_protocol);
    } else if (request.member_id.empty()) {
      join_new_member(request, done, out);
    } else {
      join_known_member(request, done, out);
    }
  }
  run(out);
}

// Kafka's rule: an empty group takes any protocol type; otherwise the type must match and at least
// one protocol must be supported by every member and the newcomer.
bool group::supports(const join_request& request) const {
  if (members_.empty()) return true;
  if (request.protocol_type != protocol_type_) return false;
  for (const auto& p : request.protocols) {
    bool all = std::all_of(members_.begin(), members_.end(), [&](const auto& m) {
      return m.second->id == request.member_id || m.second->metadata_for(p.name) != nullptr;
    });
    if (all) return true;
  }
  return false;
}

void group::join_new_member(join_request& request, join_callback& done, deferred& out) {
  if (request.instance_id) {
    auto known = static_members_.find(*request.instance_id);
    if (known != static_members_.end()) return replace_static_member(known->second, request, done, out);
  }
  // Random, like Kafka's client id + UUID, so ids of a restarted broker do not collide.
  static thread_local std::mt19937_64 random{std::random_device{}()};
  auto member_id = (request.client_id.empty() ? std::string("member") : request.client_id) + "-" +
                   std::to_string(++next_member_) + "-" + std::to_string(random() % 1000000000);
  if (request.require_known_member_id && !request.instance_id) {
    schedule_pending(member_id, request.session_timeout_ms);
    out.push_back([done, member_id] { done(join_error(error_code::member_id_required, member_id)); });
    return;
  }
  add_member(member_id, request, done, out);
}

void group::join_known_member(join_request& request, join_callback& done, deferred& out) {
  const auto& member_id = request.member_id;
  if (auto p = pending_.find(member_id); p != pending_.end()) {
    pending_.erase(p);
    return add_member(member_id, request, done, out);
  }
  auto fail = [&](error_code e) { out.push_back([done, e, member_id] { done(join_error(e, member_id)); }); };
  if (auto e = check_static(member_id, request.instance_id); e != error_code::none) return fail(e);
  auto it = members_.find(member_id);
  if (it == members_.end()) return fail(error_code::unknown_member_id);
  auto& m = *it->second;
  switch (state_) {
    case group_state::preparing_rebalance:
      update_member(m, request, done, out);
      return maybe_complete_join(out);
    case group_state::completing_rebalance:
      if (protocols_match(m, request)) {
        out.push_back([done, answer = join_answer(m)] { done(answer); });
        return;
      }
      update_member(m, request, done, out);
      return prepare_rebalance(out);
    case group_state::stable:
      if (member_id != leader_ && protocols_match(m, request)) {
        out.push_back([done, answer = join_answer(m)] { done(answer); });
        return;
      }
      update_member(m, request, done, out);
      return prepare_rebalance(out);
    case group_state::empty:
    case group_state::dead:
      return fail(error_code::unknown_member_id);
  }
}

// A static member rejoining without its member id (it restarted): it takes over its old membership
// under a new id; the old id is fenced. In a stable group, a follower whose subscription is unchanged
// keeps its assignment and nobody rebalances (KIP-345: the point of static membership); otherwise a
// rebalance hands out the assignments again.
void group::replace_static_member(std::string old_id, join_request& request, join_callback& done,
                                  deferred& out) {
  auto node = members_.extract(old_id);
  auto& old = *node.mapped();
  if (state_ == group_state::stable && old_id != leader_ && protocols_match(old, request)) {
    return rejoin_static_member(std::move(node.mapped()), request, done, out);
  }
  if (old.awaiting_join) {
    out.push_back([cb = std::move(old.awaiting_join), old_id] {
      cb(join_error(error_code::fenced_instance_id, old_id));
    });
  }
  if (old.awaiting_sync)
    out.push_back([cb = std::move(old.awaiting_sync)] { cb(sync_error(error_code::fenced_instance_id)); });
  auto member_id = (request.client_id.empty() ? std::string("member") : request.client_id) + "-" +
                   std::to_string(++next_member_) + "-" + *request.instance_id;
  if (leader_ == old_id) leader_ = member_id;
  static_members_.erase(*request.instance_id);
  add_member(member_id, request, done, out);
}

void group::rejoin_static_member(std::unique_ptr<member> m, join_request& request, join_callback& done,
                                 deferred& out) {
  if (m->awaiting_sync) {
    out.push_back([cb = std::move(m->awaiting_sync)] { cb(sync_error(error_code::fenced_instance_id)); });
  }
  auto member_id = (request.client_id.empty() ? std::string("member") : request.client_id) + "-" +
                   std::to_string(++next_member_) + "-" + *request.instance_id;
  m->id = member_id;
  m->client_id = request.client_id;
  m->session_timeout_ms = request.session_timeout_ms;
  m->rebalance_timeout_ms =
      request.rebalance_timeout_ms > 0 ? request.rebalance_timeout_ms : request.session_timeout_ms;
  static_members_[*request.instance_id] = member_id;
  auto& ref = *m;
  members_.emplace(member_id, std::move(m));
  schedule_session(ref);
  spdlog::debug("group {}: static member {} rejoined as {} without a rebalance", id_, *request.instance_id,
                member_id);
  out.push_back([done, answer = join_answer(ref)] { done(answer); });
}

void group::add_member(const std::string& member_id, join_request& request, join_callback& done,
                       deferred& out) {
  auto m = std::make_unique<member>(member_id, io_);
  m->instance_id = request.instance_id;
  if (request.instance_id) static_members_[*request.instance_id] = member_id;
  auto& ref = *m;
  members_.emplace(member_id, std::move(m));
  if (members_.size() == 1) protocol_type_ = request.protocol_type;
  update_member(ref, request, done, out);
  if (state_ == group_state::preparing_rebalance) return maybe_complete_join(out);
  prepare_rebalance(out);
}

void group::update_member(member& m, join_request& request, join_callback& done, deferred& out) {
  m.client_id = request.client_id;
  m.session_timeout_ms = request.session_timeout_ms;
  m.rebalance_timeout_ms =
      request.rebalance_timeout_ms > 0 ? request.rebalance_timeout_ms : request.session_timeout_ms;
  m.protocol_type = request.protocol_type;
  m.protocols = std::move(request.protocols);
  if (m.awaiting_join) {
    // The same member joining again on another connection: the older request is superseded.
    out.push_back([cb = std::move(m.awaiting_join), id = m.id] {
      cb(join_error(error_code::rebalance_in_progress, id));
    });
  }
  m.awaiting_join = std::move(done);
  schedule_session(m);
}

bool group::protocols_match(const member& m, const join_request& request) const {
  if (m.protocols.size() != request.protocols.size()) return false;
  for (std::size_t i = 0; i < m.protocols.size(); ++i) {
    if (m.protocols[i].name != request.protocols[i].name ||
        m.protocols[i].metadata != request.protocols[i].metadata)
      return false;
  }
  return true;
}

void group::prepare_rebalance(deferred& out) {
  if (state_ == group_state::completing_rebalance) {
    for (auto& [id, m] : members_) {
      m->assignment.clear();
      if (m->awaiting_sync) {
        out.push_back(
            [cb = std::move(m->awaiting_sync)] { cb(sync_error(error_code::rebalance_in_progress)); });
        m->awaiting_sync = nullptr;
      }
    }
  }
  initial_join_ = state_ == group_state::empty;
  state_ = group_state::preparing_rebalance;
  std::int32_t longest = 0;
  for (const auto& [id, m] : members_) longest = std::max(longest, m->rebalance_timeout_ms);
  auto delay = std::chrono::milliseconds(longest);
  if (initial_join_) delay = std::min(delay, settings_.initial_rebalance_delay);
  auto epoch = ++join_epoch_;
  join_timer_.start(delay, [weak = weak_from_this(), epoch] {
    if (auto self = weak.lock()) self->on_join_timeout(epoch);
  });
  spdlog::debug("group {}: rebalancing (generation {}, {} members)", id_, generation_, members_.size());
  maybe_complete_join(out);
}

void group::maybe_complete_join(deferred& out) {
  if (state_ != group_state::preparing_rebalance || initial_join_ || !pending_.empty()) return;
  bool all = std::all_of(members_.begin(), members_.end(),
                         [](const auto& m) { return bool(m.second->awaiting_join); });
  if (all) complete_join(out);
}

void group::on_join_timeout(std::uint64_t epoch) {
  deferred out;
  {
    std::lock_guard lock(mu_);
    if (epoch != join_epoch_ || state_ != group_state::preparing_rebalance) return;
    initial_join_ = false;
    complete_join(out);
  }
  run(out);
}

void group::complete_join(deferred& out) {
  join_timer_.cancel();
  ++join_epoch_;
  // Members that did not rejoin within the rebalance timeout leave the group.
  std::vector<std::string> gone;
  for (const auto& [id, m] : members_)
    if (!m->awaiting_join) gone.push_back(id);
  for (const auto& id : gone) remove_member(id, out);
  ++generation_;
  if (members_.empty()) {
    state_ = group_state::empty;
    protocol_name_.clear();
    leader_.clear();
    persist_metadata();
    return;
  }
  protocol_name_ = select_protocol();
  if (!members_.contains(leader_)) leader_ = members_.begin()->first;
  state_ = group_state::completing_rebalance;
  persist_metadata();
  spdlog::info("group {}: generation {} with {} members, protocol {}, leader {}", id_, generation_,
               members_.size(), protocol_name_, leader_);
  for (auto& [id, m] : members_) {
    out.push_back([cb = std::move(m->awaiting_join), answer = join_answer(*m)] { cb(answer); });
    m->awaiting_join = nullptr;
    schedule_session(*m);
  }
}

// The protocol every member supports with the most first-choice votes (ties: the earlier candidate of
// the first member's list).
std::string group::select_protocol() const {
  const auto& first = *members_.begin()->second;
  std::vector<std::string> candidates;
  for (const auto& p : first.protocols) {
    bool all = std::all_of(members_.begin(), members_.end(),
                           [&](const auto& m) { return m.second->metadata_for(p.name) != nullptr; });
    if (all) candidates.push_back(p.name);
  }
  std::map<std::string, int> votes;
  for (const auto& [id, m] : members_) {
    for (const auto& p : m->protocols) {
      if (std::find(candidates.begin(), candidates.end(), p.name) != candidates.end()) {
        ++votes[p.name];
        break;
      }
    }
  }
  std::string best = candidates.empty() ? std::string() : candidates.front();
  for (const auto& c : candidates)
    if (votes[c] > votes[best]) best = c;
  return best;
}

join_result group::join_answer(const member& m) const {
  join_result r{.error = error_code::none,
                .generation = generation_,
                .protocol_type = protocol_type_,
                .protocol_name = protocol_name_,
                .leader = leader_,
                .member_id = m.id,
                .members = {}};
  if (m.id != leader_) return r;
  for (const auto& [id, other] : members_) {
    const auto* metadata = other->metadata_for(protocol_name_);
    r.members.push_back(
        {.member_id = id, .instance_id = other->instance_id, .metadata = metadata ? *metadata : bytes{}});
  }
  return r;
}

// ------------------------------------------------------------------------------------------ SyncGroup

void group::sync(sync_request request, sync_callback done) {
  deferred out;
  {
    std::lock_guard lock(mu_);
    auto fail = [&](error_code e) { out.push_back([done, e] { done(sync_error(e)); }); };
    auto it = members_.find(request.member_id);
    if (state_ == group_state::dead) {
      fail(error_code::coordinator_not_available);
    } else if (auto e = check_static(request.member_id, request.instance_id); e != error_code::none) {
      fail(e);
    } else if (it == members_.end()) {
      fail(error_code::unknown_member_id);
    } else if (request.generation != generation_) {
      fail(error_code::illegal_generation);
    } else if ((request.protocol_type && *request.protocol_type != protocol_type_) ||
               (request.protocol_name && *request.protocol_name != protocol_name_)) {
      fail(inconsistent_group_protocol);
    } else if (state_ == group_state::preparing_rebalance) {
      fail(error_code::rebalance_in_progress);
    } else if (state_ == group_state::stable) {
      auto& m = *it->second;
      schedule_session(m);
      out.push_back([done, r = sync_result{.error = error_code::none,
                                           .protocol_type = protocol_type_,
                                           .protocol_name = protocol_name_,
                                           .assignment = m.assignment}] { done(r); });
    } else if (state_ == group_state::completing_rebalance) {
      auto& m = *it->second;
      schedule_session(m);
      if (m.awaiting_sync)
        out.push_back(
            [cb = std::move(m.awaiting_sync)] { cb(sync_error(error_code::rebalance_in_progress)); });
      m.awaiting_sync = std::move(done);
      if (m.id == leader_) {
        for (auto& [id, other] : members_) other->assignment.clear();
        // Assignments for members that are no longer in the group are ignored, as Kafka does.
        for (auto& [id, assignment] : request.assignments)
          if (auto target = members_.find(id); target != members_.end())
            target->second->assignment = std::move(assignment);
        state_ = group_state::stable;
        for (auto& [id, other] : members_) {
          if (!other->awaiting_sync) continue;
          out.push_back([cb = std::move(other->awaiting_sync),
                         r = sync_result{.error = error_code::none,
                                         .protocol_type = protocol_type_,
                                         .protocol_name = protocol_name_,
                                         .assignment = other->assignment}] { cb(r); });
          other->awaiting_sync = nullptr;
        }
      }
    } else {
      fail(error_code::unknown_member_id);
    }
  }
  run(out);
}

// ------------------------------------------------------------------------------------------ Heartbeat

kafka::error_code group::heartbeat(std::int32_t generation, const std::string& member_id,
                                   const std::optional<std::string>& instance_id) {
  std::lock_guard lock(mu_);
  if (state_ == group_state::dead) return error_code::coordinator_not_available;
  if (auto e = check_static(member_id, instance_id); e != error_code::none) return e;
  auto it = members_.find(member_id);
  if (it == members_.end()) return error_code::unknown_member_id;
  if (generation != generation_) return error_code::illegal_generation;
  schedule_session(*it->second);
  if (state_ == group_state::preparing_rebalance) return error_code::rebalance_in_progress;
  if (state_ == group_state::empty) return error_code::unknown_member_id;
  return error_code::none;
}

kafka::error_code group::check_static(const std::string& member_id,
                                      const std::optional<std::string>& instance_id) const {
  if (!instance_id) return error_code::none;
  auto it = static_members_.find(*instance_id);
  if (it != static_members_.end() && it->second != member_id) return error_code::fenced_instance_id;
  return error_code::none;
}

// ----------------------------------------------------------------------------------------- LeaveGroup

std::vector<kafka::error_code> group::leave(const std::vector<member_identity>& identities) {
  std::vector<error_code> errors;
  deferred out;
  {
    std::lock_guard lock(mu_);
    bool removed = false;
    for (const auto& who : identities) {
      auto member_id = who.member_id;
      if (who.instance_id) {
        auto s = static_members_.find(*who.instance_id);
        if (s == static_members_.end()) {
          errors.push_back(error_code::unknown_member_id);
          continue;
        }
        if (!member_id.empty() && s->second != member_id) {
          errors.push_back(error_code::fenced_instance_id);
          continue;
        }
        member_id = s->second;
      }
      if (pending_.erase(member_id) > 0) {
        errors.push_back(error_code::none);
        continue;
      }
      if (!members_.contains(member_id) || state_ == group_state::dead) {
        errors.push_back(error_code::unknown_member_id);
        continue;
      }
      spdlog::info("group {}: member {} leaves", id_, member_id);
      remove_member(member_id, out);
      removed = true;
      errors.push_back(error_code::none);
    }
    if (removed)
      on_members_removed(out);
    else
      maybe_complete_join(out);  // a pending member leaving may be what the rebalance waited for
  }
  run(out);
  return errors;
}

void group::remove_member(const std::string& member_id, deferred& out) {
  auto it = members_.find(member_id);
  if (it == members_.end()) return;
  auto& m = *it->second;
  if (m.awaiting_join) {
    out.push_back([cb = std::move(m.awaiting_join), member_id] {
      cb(join_error(error_code::unknown_member_id, member_id));
    });
  }
  if (m.awaiting_sync)
    out.push_back([cb = std::move(m.awaiting_sync)] { cb(sync_error(error_code::unknown_member_id)); });
  if (m.instance_id) static_members_.erase(*m.instance_id);
  members_.erase(it);
}

void group::on_members_removed(deferred& out) {
  switch (state_) {
    case group_state::stable:
    case group_state::completing_rebalance:
      return prepare_rebalance(out);
    case group_state::preparing_rebalance:
      return maybe_complete_join(out);
    case group_state::empty:
    case group_state::dead:
      return;
  }
}

// ----------------------------------------------------------------------------------- session timers

void group::schedule_session(member& m) {
  auto epoch = ++m.session_epoch;
  m.session.start(std::chrono::milliseconds(m.session_timeout_ms),
                  [weak = weak_from_this(), id = m.id, epoch] {
                    if (auto self = weak.lock()) self->on_session_expired(id, epoch);
                  });
}

void group::schedule_pending(const std::string& member_id, std::int32_t session_timeout_ms) {
  auto t = std::make_unique<timer>(io_);
  t->start(std::chrono::milliseconds(session_timeout_ms), [weak = weak_from_this(), member_id] {
    if (auto self = weak.lock()) self->on_session_expired(member_id, 0);
  });
  pending_[member_id] = std::move(t);
}

void group::on_session_expired(const std::string& member_id, std::uint64_t epoch) {
  deferred out;
  {
    std::lock_guard lock(mu_);
    if (epoch == 0) {
      if (pending_.erase(member_id) > 0) maybe_complete_join(out);
    } else if (auto it = members_.find(member_id);
               it != members_.end() && it->second->session_epoch == epoch) {
      auto& m = *it->second;
      // A member waiting for its JoinGroup or SyncGroup answer is alive: the rebalance timeout bounds it.
      if (m.awaiting_join || m.awaiting_sync) {
        schedule_session(m);
      } else {
        spdlog::info("group {}: member {} missed its session timeout ({} ms)", id_, member_id,
                     m.session_timeout_ms);
        remove_member(member_id, out);
        on_members_removed(out);
      }
    }
  }
  run(out);
}

// ------------------------------------------------------------------------------------------- offsets

kafka::error_code group::commit(std::int32_t generation, const std::string& member_id,
                                const std::optional<std::string>& instance_id,
                                const std::vector<std::pair<topic_partition, committed_offset>>& offsets) {
  std::lock_guard lock(mu_);
  if (state_ == group_state::dead) return error_code::coordinator_not_available;
  if (auto e = check_static(member_id, instance_id); e != error_code::none) return e;
  if (generation >= 0 || state_ != group_state::empty) {
    // A commit from a group member (Kafka's order of checks).
    if (state_ == group_state::completing_rebalance) return error_code::rebalance_in_progress;
    auto it = members_.find(member_id);
    if (it == members_.end()) return error_code::unknown_member_id;
    if (generation != generation_) return error_code::illegal_generation;
    schedule_session(*it->second);
  }
  if (store_ != nullptr) {
    std::vector<std::pair<topic_partition, std::optional<committed_offset>>> writes(offsets.begin(),
                                                                                    offsets.end());
    auto written = store_->write_offsets(id_, writes);
    if (!written) {
      spdlog::warn("group {}: cannot write offsets: {}", id_, written.error().describe());
      return error_code::kafka_storage_error;
    }
  }
  for (const auto& [tp, offset] : offsets) offsets_[tp] = offset;
  return error_code::none;
}

std::optional<committed_offset> group::committed(const topic_partition& tp) const {
  std::lock_guard lock(mu_);
  auto it = offsets_.find(tp);
  if (it == offsets_.end()) return std::nullopt;
  return it->second;
}

std::map<topic_partition, committed_offset> group::all_committed() const {
  std::lock_guard lock(mu_);
  return offsets_;
}

// Whether a member's subscription (consumer protocol metadata) names `topic`.
bool group::subscribed_to(const std::string& topic) const {
  if (protocol_type_ != "consumer") return !members_.empty();
  for (const auto& [id, m] : members_) {
    const auto* metadata = m->metadata_for(protocol_name_);
    if (metadata == nullptr) continue;
    kafka::reader r(*metadata);
    auto version = r.read_int16();
    kafka::consumer_protocol_subscription subscription;
    if (!version || !subscription.decode(r, std::clamp<std::int16_t>(*version, 0, 3))) return true;
    if (std::find(subscription.topics.begin(), subscription.topics.end(), topic) != subscription.topics.end())
      return true;
  }
  return false;
}

std::vector<kafka::error_code> group::delete_offsets(const std::vector<topic_partition>& partitions) {
  std::lock_guard lock(mu_);
  std::vector<error_code> errors;
  std::vector<std::pair<topic_partition, std::optional<committed_offset>>> deletes;
  for (const auto& tp : partitions) {
    bool busy = state_ != group_state::empty && subscribed_to(tp.topic);
    errors.push_back(busy ? error_code::group_subscribed_to_topic : error_code::none);
    if (!busy && offsets_.contains(tp)) deletes.emplace_back(tp, std::nullopt);
  }
  if (deletes.empty()) return errors;
  if (store_ != nullptr) {
    if (auto written = store_->write_offsets(id_, deletes); !written) {
      for (auto& e : errors)
        if (e == error_code::none) e = error_code::kafka_storage_error;
      return errors;
    }
  }
  for (const auto& [tp, _] : deletes) offsets_.erase(tp);
  return errors;
}

kafka::error_code group::remove() {
  std::lock_guard lock(mu_);
  if (state_ == group_state::dead) return error_code::group_id_not_found;
  if (!members_.empty() || !pending_.empty()) return error_code::non_empty_group;
  if (store_ != nullptr) {
    std::vector<std::pair<topic_partition, std::optional<committed_offset>>> deletes;
    for (const auto& [tp, _] : offsets_) deletes.emplace_back(tp, std::nullopt);
    auto written = store_->write_offsets(id_, deletes);
    if (written) written = store_->write_metadata(id_, std::nullopt);
    if (!written) return error_code::kafka_storage_error;
  }
  offsets_.clear();
  state_ = group_state::dead;
  join_timer_.cancel();
  return error_code::none;
}

// ------------------------------------------------------------------------------------ introspection

group_summary group::describe() const {
  std::lock_guard lock(mu_);
  group_summary s{.state = state_,
                  .protocol_type = protocol_type_,
                  .protocol_name = protocol_name_,
                  .generation = generation_,
                  .leader = leader_,
                  .members = {}};
  for (const auto& [id, m] : members_) {
    const auto* metadata = m->metadata_for(protocol_name_);
    s.members.push_back({.member_id = id,
                         .instance_id = m->instance_id,
                         .client_id = m->client_id,
                         .metadata = metadata ? *metadata : bytes{},
                         .assignment = m->assignment});
  }
  return s;
}

group_state group::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

bool group::vacant() const {
  std::lock_guard lock(mu_);
  return state_ == group_state::dead || (state_ == group_state::empty && members_.empty() &&
                                         pending_.empty() && offsets_.empty() && generation_ == 0);
}

void group::persist_metadata() {
  if (store_ == nullptr) return;
  auto written = store_->write_metadata(
      id_, group_metadata{
               .protocol_type = protocol_type_, .generation = generation_, .protocol_name = protocol_name_});
  // The generation is what matters after a restart; a lost record only makes it start lower.
  if (!written) spdlog::warn("group {}: cannot write group metadata: {}", id_, written.error().describe());
}

void group::restore_offset(const topic_partition& tp, std::optional<committed_offset> offset) {
  std::lock_guard lock(mu_);
  if (offset)
    offsets_[tp] = std::move(*offset);
  else
    offsets_.erase(tp);
}

void group::restore_metadata(const std::optional<group_metadata>& meta) {
  std::lock_guard lock(mu_);
  if (!meta) {
    generation_ = 0;
    protocol_type_.clear();
    return;
  }
  generation_ = meta->generation;
  protocol_type_ = meta->protocol_type;
}

}  // namespace sluice::group
