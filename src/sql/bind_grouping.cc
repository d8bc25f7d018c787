// sql/bind_grouping.cc — GROUP BY's grouping sets (ROLLUP, CUBE, GROUPING SETS, the empty set ())
// expanded into lists of group keys the way Postgres's expand_grouping_sets does, and GROUPING(…).
#include <fmt/format.h>

#include <algorithm>

#include "sql/bind_internal.h"
#include "sql/grouping_sets.h"

namespace sluice::sql {
namespace {

constexpr std::size_t max_grouping_sets = 4096;
constexpr std::size_t max_cube_elements = 12;

using set_list = std::vector<grouping_set>;

void add_key(grouping_set& set, int key) {
  if (std::find(set.begin(), set.end(), key) == set.end()) set.push_back(key);
}

void add_keys(grouping_set& set, const grouping_set& keys) {
  for (int k : keys) add_key(set, k);
}

// `(a, b)` (a row written without ROW) is a composite element: its keys go together. Anything else is
// one key.
grouping_set element_keys(pg_node n, const group_key_fn& key) {
  grouping_set out;
  pg_node body = pg::node_body(n);
  if (pg::is(n, "RowExpr") && pg::string(body, "row_format") == "COERCE_IMPLICIT_CAST") {
    for (pg_node a : pg::list(body, "args")) add_key(out, key(a));
  } else {
    add_key(out, key(n));
  }
  return out;
}

set_list rollup(const std::vector<grouping_set>& elements) {
  set_list out;
  for (std::size_t n = elements.size() + 1; n-- > 0;) {
    grouping_set set;
    for (std::size_t i = 0; i < n; ++i) add_keys(set, elements[i]);
    out.push_back(std::move(set));
  }
  return out;
}

set_list cube(const std::vector<grouping_set>& elements, int at) {
  if (elements.size() > max_cube_elements)
    bind_fail("54011", fmt::format("CUBE is limited to {} elements", max_cube_elements), at);
  set_list out;
  for (std::size_t mask = (std::size_t{1} << elements.size()); mask-- > 0;) {
    grouping_set set;
    for (std::size_t i = 0; i < elements.size(); ++i) {
      if ((mask >> (elements.size() - 1 - i)) & 1) add_keys(set, elements[i]);
    }
    out.push_back(std::move(set));
  }
  return out;
}

set_list expand_item(pg_node n, const group_key_fn& key, bool& has_sets) {
  if (!pg::is(n, "GroupingSet")) return {element_keys(n, key)};
  has_sets = true;
  pg_node body = pg::node_body(n);
  std::string_view kind = pg::string(body, "kind");
  std::vector<pg_node> content = pg::list(body, "content");
  if (kind == "GROUPING_SET_EMPTY") return {grouping_set{}};
  if (kind == "GROUPING_SET_SETS") {
    set_list out;
    for (pg_node c : content) {
      for (grouping_set& s : expand_item(c, key, has_sets)) out.push_back(std::move(s));
    }
    return out;
  }
  std::vector<grouping_set> elements;
  for (pg_node c : content) elements.push_back(element_keys(c, key));
  if (kind == "GROUPING_SET_ROLLUP") return rollup(elements);
  if (kind == "GROUPING_SET_CUBE") return cube(elements, pg::location(n));
  grouping_set all;
  for (const grouping_set& e : elements) add_keys(all, e);
  return {all};
}

// GROUP BY DISTINCT: a set listed again (in any key order) is left out.
void remove_repeated(set_list& sets) {
  std::vector<grouping_set> seen;
  set_list out;
  for (grouping_set& s : sets) {
    grouping_set sorted = s;
    std::sort(sorted.begin(), sorted.end());
    if (std::find(seen.begin(), seen.end(), sorted) != seen.end()) continue;
    seen.push_back(std::move(sorted));
    out.push_back(std::move(s));
  }
  sets = std::move(out);
}

}  // namespace

// The items multiply: GROUP BY a, ROLLUP (b, c) is every set of ROLLUP's with a added.
std::vector<grouping_set> expand_group_by(const std::vector<pg_node>& items, bool distinct,
                                          const group_key_fn& key, bool& has_sets) {
  set_list result{grouping_set{}};
  for (pg_node item : items) {
    set_list sets = expand_item(item, key, has_sets);
    if (result.size() * sets.size() > max_grouping_sets) {
      bind_fail("54001", fmt::format("too many grouping sets present (maximum {})", max_grouping_sets), -1);
    }
    set_list product;
    for (const grouping_set& r : result) {
      for (const grouping_set& s : sets) {
        grouping_set both = r;
        add_keys(both, s);
        product.push_back(std::move(both));
      }
    }
    result = std::move(product);
  }
  if (distinct) remove_repeated(result);
  return result;
}

// GROUPING(a, b): a bit per argument, the first the highest, set when the row's grouping set leaves
// that key out. The value depends only on the set, so it is chosen by the set's index.
expr binder::bind_grouping_func(pg_node body, agg_context* agg, const char* clause) {
  int at = static_cast<int>(pg::integer(body, "location", -1));
  std::vector<pg_node> args = pg::list(body, "args");
  if (args.size() >= 32) bind_fail("54023", "GROUPING must have fewer than 32 arguments", at);
  if (in_aggregate_) bind_fail(sqlstate::grouping_error, "aggregate function calls cannot be nested", at);
  if (agg == nullptr) {
    bind_fail(sqlstate::grouping_error, fmt::format("grouping operations are not allowed in {}", clause), at);
  }
  std::vector<int> keys;
  for (pg_node a : args) {
    expr e = bind_expr(a, *agg->input, nullptr, clause);
    auto it =
        std::find_if(agg->groups.begin(), agg->groups.end(), [&e](const expr& g) { return same_expr(e, g); });
    if (it == agg->groups.end()) {
      bind_fail(sqlstate::grouping_error,
                "arguments to GROUPING must be grouping expressions of the associated query level",
                pg::location(a));
    }
    keys.push_back(static_cast<int>(it - agg->groups.begin()));
  }
  if (agg->sets.empty()) return expr::make_constant(value::bigint(0), data_type::bigint);
  expr out;
  out.kind = expr_kind::call;
  out.type = data_type::bigint;
  out.fn = choose_fn;
  out.strict = false;
  out.name = "grouping";
  out.location = at;
  out.args.push_back(
      expr::make_column(static_cast<int>(agg->groups.size()), data_type::bigint, "grouping_set"));
  for (const grouping_set& set : agg->sets) {
    std::int64_t bits = 0;
    for (int k : keys) bits = bits << 1 | (std::find(set.begin(), set.end(), k) == set.end() ? 1 : 0);
    out.args.push_back(expr::make_constant(value::bigint(bits), data_type::bigint));
  }
  return out;
}

}  // namespace sluice::sql
