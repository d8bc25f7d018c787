// The classic rebalance state machine, driven directly: joins, syncs, heartbeats, leaves, session expiry
// and commit rules. Timers run on a local io_context that the tests step with run_one(), so nothing
// here waits on the clock except for the timer it is testing.
#include "group/group.h"

#include <gtest/gtest.h>

#include "net/asio.h"

namespace sluice::group {
namespace {

using kafka::error_code;

class GroupTest : public ::testing::Test {
 protected:
  std::shared_ptr<group> make(group_settings settings = {}) {
    settings.min_session_timeout_ms = 1;
    return std::make_shared<group>("g", io_, settings, nullptr);
  }

  static join_request request(std::string member_id, std::int32_t session_ms = 60000, bool v4 = false) {
    return join_request{.member_id = std::move(member_id),
                        .instance_id = std::nullopt,
                        .client_id = "c",
                        .session_timeout_ms = session_ms,
                        .rebalance_timeout_ms = 60000,
                        .protocol_type = "consumer",
                        .protocols = {{.name = "range", .metadata = {std::byte{1}}}},
                        .require_known_member_id = v4};
  }

  // Joins and returns a slot the answer lands in (the answer may come later).
  std::shared_ptr<std::optional<join_result>> join(group& g, join_request r) {
    auto slot = std::make_shared<std::optional<join_result>>();
    g.join(std::move(r), [slot](join_result result) { *slot = std::move(result); });
    return slot;
  }

  std::shared_ptr<std::optional<sync_result>> sync(
      group& g, std::int32_t generation, const std::string& member,
      std::vector<std::pair<std::string, bytes>> assignments = {}) {
    auto slot = std::make_shared<std::optional<sync_result>>();
    g.sync(sync_request{.generation = generation,
                        .member_id = member,
                        .instance_id = std::nullopt,
                        .protocol_type = std::nullopt,
                        .protocol_name = std::nullopt,
                        .assignments = std::move(assignments)},
           [slot](sync_result result) { *slot = std::move(result); });
    return slot;
  }

  // Runs io handlers until `done()` holds.
  template <typename Pred>
  void run_until(Pred done) {
    while (!done()) {
      io_.restart();
      ASSERT_GT(io_.run_one(), 0u) << "no handler left to run";
    }
  }

  // Two members joined and synced into a stable generation; returns {leader, follower}.
  std::pair<join_result, join_result> stable_pair(group& g, std::int32_t follower_session_ms = 60000) {
    auto a = join(g, request(""));
    auto b = join(g, request("", follower_session_ms));
    run_until([&] { return a->has_value() && b->has_value(); });
    auto leader = (*a)->member_id == (*a)->leader ? **a : **b;
    auto follower = (*a)->member_id == (*a)->leader ? **b : **a;
    auto s1 = sync(g, leader.generation, leader.member_id,
                   {{leader.member_id, {std::byte{1}}}, {follower.member_id, {std::byte{2}}}});
    auto s2 = sync(g, follower.generation, follower.member_id);
    EXPECT_TRUE(s1->has_value() && s2->has_value());
    EXPECT_EQ(g.state(), group_state::stable);
    return {leader, follower};
  }

  boost::asio::io_context io_;
};

TEST_F(GroupTest, MembersJoiningTogetherShareOneGenerationAndTheLeaderSeesAll) {
  auto g = make();
  auto a = join(*g, request(""));
  auto b = join(*g, request(""));
  EXPECT_FALSE(a->has_value());  // the initial rebalance delay holds the first generation open
  run_until([&] { return a->has_value() && b->has_value(); });
  ASSERT_EQ((*a)->error, error_code::none);
  ASSERT_EQ((*b)->error, error_code::none);
  EXPECT_EQ((*a)->generation, 1);
  EXPECT_EQ((*b)->generation, 1);
  EXPECT_EQ((*a)->leader, (*b)->leader);
  EXPECT_EQ((*a)->protocol_name, "range");
  const auto& leader = (*a)->member_id == (*a)->leader ? **a : **b;
  const auto& follower = (*a)->member_id == (*a)->leader ? **b : **a;
  EXPECT_EQ(leader.members.size(), 2u);
  EXPECT_TRUE(follower.members.empty());
  EXPECT_EQ(g->state(), group_state::completing_rebalance);
}

TEST_F(GroupTest, JoinV4AsksForAMemberIdFirst) {
  auto g = make();
  auto first = join(*g, request("", 60000, true));
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->error, error_code::member_id_required);
  ASSERT_FALSE((*first)->member_id.empty());
  auto second = join(*g, request((*first)->member_id, 60000, true));
  run_until([&] { return second->has_value(); });
  EXPECT_EQ((*second)->error, error_code::none);
  EXPECT_EQ((*second)->member_id, (*first)->member_id);
  EXPECT_EQ((*second)->leader, (*first)->member_id);
}

TEST_F(GroupTest, SyncHandsEachMemberTheLeadersAssignment) {
  auto g = make();
  auto a = join(*g, request(""));
  auto b = join(*g, request(""));
  run_until([&] { return a->has_value() && b->has_value(); });
  auto leader = (*a)->member_id == (*a)->leader ? **a : **b;
  auto follower = (*a)->member_id == (*a)->leader ? **b : **a;
  auto waiting = sync(*g, follower.generation, follower.member_id);
  EXPECT_FALSE(waiting->has_value());  // answered when the leader's assignment arrives
  auto done = sync(*g, leader.generation, leader.member_id,
                   {{leader.member_id, {std::byte{1}}}, {follower.member_id, {std::byte{2}}}});
  ASSERT_TRUE(done->has_value() && waiting->has_value());
  EXPECT_EQ((*done)->assignment, bytes{std::byte{1}});
  EXPECT_EQ((*waiting)->assignment, bytes{std::byte{2}});
  EXPECT_EQ(g->state(), group_state::stable);
}

TEST_F(GroupTest, HeartbeatChecksMemberAndGeneration) {
  auto g = make();
  auto [leader, follower] = stable_pair(*g);
  EXPECT_EQ(g->heartbeat(leader.generation, leader.member_id, std::nullopt), error_code::none);
  EXPECT_EQ(g->heartbeat(leader.generation + 1, leader.member_id, std::nullopt),
            error_code::illegal_generation);
  EXPECT_EQ(g->heartbeat(leader.generation, "nobody", std::nullopt), error_code::unknown_member_id);
  auto stale = sync(*g, leader.generation - 1, follower.member_id);
  ASSERT_TRUE(stale->has_value());
  EXPECT_EQ((*stale)->error, error_code::illegal_generation);
}

TEST_F(GroupTest, LeavingStartsARebalanceThatTheRestCompleteByRejoining) {
  auto g = make();
  auto [leader, follower] = stable_pair(*g);
  EXPECT_EQ(g->leave({{.member_id = follower.member_id, .instance_id = std::nullopt}}),
            std::vector<error_code>{error_code::none});
  EXPECT_EQ(g->state(), group_state::preparing_rebalance);
  EXPECT_EQ(g->heartbeat(leader.generation, leader.member_id, std::nullopt),
            error_code::rebalance_in_progress);
  auto again = join(*g, request(leader.member_id));
  ASSERT_TRUE(again->has_value());  // every remaining member rejoined: no need to wait
  EXPECT_EQ((*again)->generation, leader.generation + 1);
  EXPECT_EQ((*again)->members.size(), 1u);
  EXPECT_EQ(g->leave({{.member_id = "nobody", .instance_id = std::nullopt}}),
            std::vector<error_code>{error_code::unknown_member_id});
}

TEST_F(GroupTest, AMemberThatStopsHeartbeatingIsRemovedAfterItsSessionTimeout) {
  auto g = make();
  auto [leader, follower] = stable_pair(*g, 20);
  // Only the follower's 20 ms session timer is due soon; run handlers until it has fired.
  run_until([&] { return g->state() == group_state::preparing_rebalance; });
  EXPECT_EQ(g->heartbeat(follower.generation, follower.member_id, std::nullopt),
            error_code::unknown_member_id);
  auto again = join(*g, request(leader.member_id));
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->members.size(), 1u);
  EXPECT_EQ((*again)->members[0].member_id, leader.member_id);
}

TEST_F(GroupTest, CommitsFollowKafkasMembershipRules) {
  auto g = make();
  topic_partition tp{.topic = "t", .partition = 0};
  committed_offset at5{.offset = 5, .leader_epoch = 0, .metadata = "m", .commit_timestamp = 1};
  EXPECT_EQ(g->commit(-1, "", std::nullopt, {{tp, at5}}), error_code::none);  // an empty group: anyone
  EXPECT_EQ(g->committed(tp), at5);
  auto [leader, follower] = stable_pair(*g);
  EXPECT_EQ(g->commit(-1, "", std::nullopt, {{tp, at5}}), error_code::unknown_member_id);
  EXPECT_EQ(g->commit(leader.generation + 1, leader.member_id, std::nullopt, {{tp, at5}}),
            error_code::illegal_generation);
  committed_offset at9 = at5;
  at9.offset = 9;
  EXPECT_EQ(g->commit(leader.generation, follower.member_id, std::nullopt, {{tp, at9}}), error_code::none);
  EXPECT_EQ(g->committed(tp)->offset, 9);
  EXPECT_EQ(g->delete_offsets({tp}), std::vector<error_code>{error_code::group_subscribed_to_topic});
  EXPECT_EQ(g->remove(), error_code::non_empty_group);
}

TEST_F(GroupTest, AStaticMemberRejoiningTakesOverAndFencesItsOldId) {
  auto g = make();
  auto r = request("");
  r.instance_id = "instance-1";
  auto first = join(*g, r);
  run_until([&] { return first->has_value(); });
  ASSERT_EQ((*first)->error, error_code::none);
  auto s = sync(*g, (*first)->generation, (*first)->member_id, {{(*first)->member_id, {std::byte{7}}}});
  ASSERT_TRUE(s->has_value());
  auto second = join(*g, r);  // restarted: no member id, same instance id
  run_until([&] { return second->has_value(); });
  ASSERT_EQ((*second)->error, error_code::none);
  EXPECT_NE((*second)->member_id, (*first)->member_id);
  EXPECT_EQ(g->heartbeat((*second)->generation, (*first)->member_id, std::string("instance-1")),
            error_code::fenced_instance_id);
}

TEST_F(GroupTest, AStaticFollowerRestartingInAStableGroupKeepsItsAssignmentWithoutARebalance) {
  auto g = make();
  auto leader_request = request("");
  leader_request.instance_id = "leader-instance";
  auto follower_request = request("");
  follower_request.instance_id = "follower-instance";
  auto a = join(*g, leader_request);
  auto b = join(*g, follower_request);
  run_until([&] { return a->has_value() && b->has_value(); });
  ASSERT_EQ((*a)->leader, (*a)->member_id);  // the first to join leads
  auto leader = **a;
  auto follower = **b;
  ASSERT_TRUE(sync(*g, leader.generation, leader.member_id,
                   {{leader.member_id, {std::byte{1}}}, {follower.member_id, {std::byte{2}}}})
                  ->has_value());
  ASSERT_TRUE(sync(*g, follower.generation, follower.member_id)->has_value());
  ASSERT_EQ(g->state(), group_state::stable);

  // The follower restarts: it joins with its instance id and no member id.
  auto again = join(*g, follower_request);
  ASSERT_TRUE(again->has_value());  // answered at once: nobody had to rejoin
  EXPECT_EQ((*again)->error, error_code::none);
  EXPECT_EQ((*again)->generation, follower.generation);
  EXPECT_NE((*again)->member_id, follower.member_id);
  EXPECT_EQ(g->state(), group_state::stable);
  auto assignment = sync(*g, (*again)->generation, (*again)->member_id);
  ASSERT_TRUE(assignment->has_value());
  EXPECT_EQ((*assignment)->assignment, bytes{std::byte{2}});
  EXPECT_EQ(g->heartbeat(follower.generation, leader.member_id, std::string("leader-instance")),
            error_code::none);
  EXPECT_EQ(g->heartbeat(follower.generation, follower.member_id, std::string("follower-instance")),
            error_code::fenced_instance_id);
}

TEST_F(GroupTest, BadJoinsGetKafkasErrors) {
  auto g = make();
  auto r = request("");
  r.session_timeout_ms = 0;
  EXPECT_EQ((*join(*g, r))->error, invalid_session_timeout);
  r = request("");
  r.protocols.clear();
  EXPECT_EQ((*join(*g, r))->error, inconsistent_group_protocol);
  EXPECT_EQ((*join(*g, request("never-issued")))->error, error_code::unknown_member_id);
  auto a = join(*g, request(""));
  run_until([&] { return a->has_value(); });
  r = request("");
  r.protocol_type = "connect";
  EXPECT_EQ((*join(*g, r))->error, inconsistent_group_protocol);
}

}  // namespace
}  // namespace sluice::group
