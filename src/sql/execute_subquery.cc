// sql/execute_subquery.cc — running a subquery for one row of its enclosing block. A correlated
// subquery (one with outer values) runs again for each new set of outer values, as Postgres's SubPlan
// does for each row; an uncorrelated one runs once per statement and its rows are kept (Postgres's
// InitPlan).
#include "sql/subquery.h"

namespace sluice::sql {
namespace {

thread_local subquery_execution* current = nullptr;

subquery_execution& running() {
  if (current == nullptr) {
    throw eval_error(sqlstate::feature_not_supported, "a subquery cannot be evaluated here");
  }
  return *current;
}

// Pops the outer values it pushed, also when the subquery's plan throws.
class params_frame {
 public:
  params_frame(subquery_execution& x, row values) : x_(x) { x_.params.push_back(std::move(values)); }
  ~params_frame() { x_.params.pop_back(); }
  params_frame(const params_frame&) = delete;
  params_frame& operator=(const params_frame&) = delete;

 private:
  subquery_execution& x_;
};

const std::vector<row>& uncorrelated_rows(subquery_execution& x, const subquery& q) {
  if (auto it = x.uncorrelated.find(&q); it != x.uncorrelated.end()) return it->second;
  std::vector<row> rows = run_plan(q.query, x.relations);
  return x.uncorrelated.emplace(&q, std::move(rows)).first->second;
}

// x = ANY over a hash set: true if x is in it, else NULL if x or a value is NULL (and there is one).
value lookup(subquery_execution& x, const subquery& q, const value& left) {
  auto it = x.hashed.find(&q);
  if (it == x.hashed.end()) {
    subquery_values set;
    for (row& r : run_plan(q.query, x.relations)) {
      if (r[0].is_null()) {
        set.has_null = true;
      } else {
        set.values.insert(row{std::move(r[0])});
      }
    }
    it = x.hashed.emplace(&q, std::move(set)).first;
  }
  const subquery_values& set = it->second;
  if (set.values.empty() && !set.has_null) return value::boolean(false);
  if (left.is_null()) return value();
  if (set.values.contains(row{left})) return value::boolean(true);
  return set.has_null ? value() : value::boolean(false);
}

value scalar(const std::vector<row>& rows) {
  if (rows.size() > 1) {
    throw eval_error("21000", "more than one row returned by a subquery used as an expression");
  }
  return rows.empty() ? value() : rows[0][0];
}

// x <op> ANY: true if a comparison is true, else NULL if one is NULL, else false (also for no rows).
// ALL is the dual: false wins, then NULL, else true.
value quantified(const subquery& q, const value& left, const std::vector<row>& rows) {
  bool decisive = q.kind == subquery_kind::any;
  bool saw_null = false;
  row pair{left, value()};
  for (const row& r : rows) {
    pair[1] = r[0];
    value v = evaluate(q.test, pair);
    if (v.is_null()) {
      saw_null = true;
    } else if (v.as_bool() == decisive) {
      return value::boolean(decisive);
    }
  }
  return saw_null ? value() : value::boolean(!decisive);
}

value answer(const subquery& q, const value& left, const std::vector<row>& rows) {
  switch (q.kind) {
    case subquery_kind::scalar:
      return scalar(rows);
    case subquery_kind::exists:
      return value::boolean(!rows.empty());
    case subquery_kind::any:
    case subquery_kind::all:
      return quantified(q, left, rows);
    case subquery_kind::rows:
      break;  // read through subquery_rows, never as a value
    case subquery_kind::array: {
      std::vector<value> items;
      items.reserve(rows.size());
      for (const row& r : rows) items.push_back(r[0]);
      return value::array(array_of(q.query.output[0].type), std::move(items));
    }
  }
  throw eval_error(sqlstate::internal_error, "unknown subquery kind");
}

}  // namespace

subquery_execution::subquery_execution(const relation_rows& rows, execute_limits statement_limits)
    : relations(rows), limits(statement_limits), previous(current) {
  current = this;
}

execute_limits running_limits() { return current ? current->limits : execute_limits{}; }

subquery_execution::~subquery_execution() { current = previous; }

value subquery_param(int index) {
  subquery_execution& x = running();
  if (x.params.empty()) throw eval_error(sqlstate::internal_error, "an outer value outside a subquery");
  return x.params.back().at(static_cast<std::size_t>(index));
}

value evaluate_subquery(const expr& e, const row& input) {
  subquery_execution& x = running();
  const subquery& q = *e.query;
  // The outer values and the left operand belong to the enclosing block: evaluate them before the
  // subquery's own values are pushed.
  row params;
  params.reserve(q.params + 1);
  for (std::size_t i = 0; i < q.params; ++i) params.push_back(evaluate(e.args[i], input));
  bool quantified = q.kind == subquery_kind::any || q.kind == subquery_kind::all;
  value left = quantified ? evaluate(e.args[q.params], input) : value();
  if (q.params == 0) return q.hashed ? lookup(x, q, left) : answer(q, left, uncorrelated_rows(x, q));
  // The answer depends only on the outer values (and the left operand; no function is volatile), so
  // outer rows that repeat them reuse it.
  row key = params;
  if (quantified) key.push_back(left);
  auto& answers = x.correlated[&q];
  if (auto it = answers.find(key); it != answers.end()) return it->second;
  std::vector<row> rows;
  {
    params_frame frame(x, std::move(params));
    rows = run_plan(q.query, x.relations);
  }
  value out = answer(q, left, rows);
  answers.emplace(std::move(key), out);
  return out;
}

std::vector<row> subquery_rows(const expr& e, const row& input) {
  subquery_execution& x = running();
  const subquery& q = *e.query;
  if (q.params == 0) return uncorrelated_rows(x, q);
  row params;
  params.reserve(q.params);
  for (std::size_t i = 0; i < q.params; ++i) params.push_back(evaluate(e.args[i], input));
  params_frame frame(x, std::move(params));
  return run_plan(q.query, x.relations);
}

}  // namespace sluice::sql
