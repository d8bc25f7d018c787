// sql/grouping_sets.cc — see grouping_sets.h.
#include "sql/grouping_sets.h"

namespace sluice::sql {

row grouping_keys(const plan& p, const row& in) {
  row keys;
  keys.reserve(p.group_by.size());
  for (const expr& e : p.group_by) keys.push_back(evaluate(e, in));
  return keys;
}

row grouping_set_row(const plan& p, const row& in, const row& keys, std::size_t set) {
  row out;
  out.reserve(in.size() + keys.size() + 1);
  out = in;
  std::size_t first_key = out.size();
  out.resize(first_key + keys.size());
  for (int k : p.grouping_sets[set]) {
    auto i = static_cast<std::size_t>(k);
    out[first_key + i] = keys[i];
  }
  out.push_back(value::bigint(static_cast<std::int64_t>(set)));
  return out;
}

std::vector<row> permanent_groups(const plan& p) {
  if (p.group_by.empty()) return {row{}};
  const plan& input = p.inputs[0];
  if (input.kind != plan_kind::grouping_sets) return {};
  std::vector<row> out;
  for (std::size_t set = 0; set < input.grouping_sets.size(); ++set) {
    if (!input.grouping_sets[set].empty()) continue;
    row keys(input.group_by.size());
    keys.push_back(value::bigint(static_cast<std::int64_t>(set)));
    out.push_back(std::move(keys));
  }
  return out;
}

value choose_fn(const value* args, std::size_t count) {
  if (args[0].is_null()) return value();
  std::int64_t i = args[0].as_bigint();
  if (i < 0 || static_cast<std::size_t>(i) + 1 >= count) return value();
  return args[i + 1];
}

}  // namespace sluice::sql
