// stream/test_util.h — helpers for the stream tests: expressions, plans and a catalog built by hand
// (the binder is not needed to test the runtime), and comparison of views as sorted rows.
#pragma once

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sql/catalog.h"
#include "sql/error.h"
#include "sql/expr.h"
#include "sql/plan.h"
#include "stream/row_text.h"

namespace sluice::stream::testing {

inline sql::value I(std::int64_t i) { return sql::value::bigint(i); }
inline sql::value D(double d) { return sql::value::double_precision(d); }
inline sql::value T(std::string s) { return sql::value::text(std::move(s)); }
inline sql::value TS(std::int64_t micros) { return sql::value::timestamp(micros); }
inline sql::value B(bool b) { return sql::value::boolean(b); }
inline sql::value N() { return {}; }
inline constexpr std::int64_t sec = sql::micros_per_second;

inline sql::expr col(int i, sql::data_type t = sql::data_type::bigint) {
  return sql::expr::make_column(i, t, "");
}
inline sql::expr lit(sql::value v) {
  sql::data_type t = v.type();
  return sql::expr::make_constant(std::move(v), t);
}

inline sql::value fn_gt(const sql::value* a, std::size_t) {
  return sql::value::boolean(compare(a[0], a[1]) > 0);
}
inline sql::value fn_add(const sql::value* a, std::size_t) { return I(a[0].as_bigint() + a[1].as_bigint()); }
inline sql::value fn_mod(const sql::value* a, std::size_t) { return I(a[0].as_bigint() % a[1].as_bigint()); }
inline sql::value fn_div(const sql::value* a, std::size_t) {
  if (a[1].as_bigint() == 0) throw sql::eval_error(sql::sqlstate::division_by_zero, "division by zero");
  return I(a[0].as_bigint() / a[1].as_bigint());
}

inline sql::expr call(sql::scalar_fn fn, const char* name, std::vector<sql::expr> args, sql::data_type t) {
  sql::expr e;
  e.kind = sql::expr_kind::call;
  e.fn = fn;
  e.name = name;
  e.type = t;
  e.args = std::move(args);
  return e;
}
inline sql::expr gt(sql::expr a, sql::expr b) {
  return call(fn_gt, ">", {std::move(a), std::move(b)}, sql::data_type::boolean);
}
inline sql::expr add(sql::expr a, sql::expr b) {
  return call(fn_add, "+", {std::move(a), std::move(b)}, sql::data_type::bigint);
}
inline sql::expr mod(sql::expr a, sql::expr b) {
  return call(fn_mod, "%", {std::move(a), std::move(b)}, sql::data_type::bigint);
}
inline sql::expr div(sql::expr a, sql::expr b) {
  return call(fn_div, "/", {std::move(a), std::move(b)}, sql::data_type::bigint);
}

inline sql::aggregate_call agg(sql::aggregate_fn fn, std::vector<sql::expr> args,
                               sql::data_type t = sql::data_type::bigint, bool distinct = false) {
  sql::aggregate_call c;
  c.fn = fn;
  c.args = std::move(args);
  c.type = t;
  c.distinct = distinct;
  return c;
}

inline sql::schema columns(std::vector<std::pair<std::string, sql::data_type>> cols) {
  sql::schema s;
  for (auto& [n, t] : cols) s.push_back({n, t});
  return s;
}

inline sql::plan scan(const sql::relation_info& info) {
  sql::plan p;
  p.kind = sql::plan_kind::scan;
  p.relation = info.name;
  p.scanned = info.kind;
  p.output = info.columns;
  return p;
}

inline sql::plan unary(sql::plan_kind kind, sql::plan input, sql::schema output) {
  sql::plan p;
  p.kind = kind;
  p.output = std::move(output);
  p.inputs.push_back(std::move(input));
  return p;
}

inline sql::schema concat(const sql::schema& a, const sql::schema& b) {
  sql::schema s = a;
  s.insert(s.end(), b.begin(), b.end());
  return s;
}

class test_catalog final : public sql::catalog_reader {
 public:
  const sql::relation_info* find(std::string_view name) const override {
    auto it = relations_.find(std::string(name));
    return it == relations_.end() ? nullptr : &it->second;
  }
  std::vector<const sql::relation_info*> list() const override {
    std::vector<const sql::relation_info*> out;
    for (const auto& [_, r] : relations_) out.push_back(&r);
    return out;
  }
  sql::relation_info& add(sql::relation_info info) {
    std::string name = info.name;
    return relations_[name] = std::move(info);
  }

 private:
  std::map<std::string, sql::relation_info> relations_;
};

// Rows as sorted text, for readable comparisons in EXPECT_EQ.
inline std::vector<std::string> sorted_text(const std::vector<sql::row>& rows) {
  std::vector<std::string> out;
  for (const sql::row& r : rows) out.push_back(row_text(r));
  std::sort(out.begin(), out.end());
  return out;
}

inline std::vector<std::string> batch_text(const sql::change_batch& batch) {
  std::vector<std::string> out;
  for (const sql::change& c : batch)
    out.push_back((c.weight > 0 ? "+" : "") + std::to_string(c.weight) + row_text(c.values));
  std::sort(out.begin(), out.end());
  return out;
}

// A fresh directory, removed with everything in it at the end of the test.
class temp_dir {
 public:
  temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "stream-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~temp_dir() { std::filesystem::remove_all(path_); }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace sluice::stream::testing
