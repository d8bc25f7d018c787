#include "stream/join_rows.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <vector>

namespace sluice::stream {
namespace {

// Random adds and removes against a map of lists. The hash is given by the caller, so a weak one
// (few distinct values, keys that share one) forces long probe runs, wrap-around at the table's end
// and backward shifts across other keys' entries, which hash_row's spread would rarely reach.
TEST(JoinRows, MatchesAMapOfListsUnderRandomAddsAndRemoves) {
  for (std::size_t distinct_hashes : {1u, 3u, 64u}) {
    std::mt19937_64 rng(distinct_hashes);
    join_rows rows;
    std::map<std::int64_t, std::vector<join_rows::id>> expected;  // key → its rows, in order added
    std::map<join_rows::id, std::int64_t> live;                   // row → its key
    auto key_row = [](std::int64_t k) { return sql::row{sql::value::bigint(k)}; };
    auto hash_of = [&](std::int64_t k) {
      return static_cast<std::size_t>(k) % distinct_hashes * 0x1234567ULL;
    };
    std::uint64_t seq = 0;
    for (int step = 0; step < 20000; ++step) {
      bool add = live.empty() || rng() % 100 < (step < 10000 ? 60 : 40);  // grow, then shrink
      if (add) {
        std::int64_t k = static_cast<std::int64_t>(rng() % 200);
        join_rows::id r = rows.add(key_row(k), hash_of(k), {key_row(k), 1, seq++, 0});
        ASSERT_FALSE(live.contains(r));
        live[r] = k;
        expected[k].push_back(r);
      } else {
        auto it = live.begin();
        std::advance(it, static_cast<long>(rng() % live.size()));
        auto [r, k] = *it;
        rows.remove(r);
        auto& list = expected[k];
        list.erase(std::find(list.begin(), list.end(), r));
        if (list.empty()) expected.erase(k);
        live.erase(it);
      }
      ASSERT_EQ(rows.size(), live.size());
      if (step % 97 != 0) continue;
      for (std::int64_t k = 0; k < 200; ++k) {
        std::vector<join_rows::id> found;
        for (auto r = rows.find(key_row(k), hash_of(k)); r != join_rows::none; r = rows.next(r)) {
          found.push_back(r);
          ASSERT_EQ(rows.row(r).values, key_row(k));
        }
        auto want = expected.find(k);
        ASSERT_EQ(found, want == expected.end() ? std::vector<join_rows::id>{} : want->second) << "key " << k;
      }
      std::set<join_rows::id> visited;
      rows.for_each([&](join_rows::id r) { visited.insert(r); });
      ASSERT_EQ(visited.size(), live.size());
      ASSERT_TRUE(std::all_of(visited.begin(), visited.end(), [&](auto r) { return live.contains(r); }));
    }
  }
}

}  // namespace
}  // namespace sluice::stream
