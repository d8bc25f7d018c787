#include "pgwire/test_handler.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <string>

#include "sql/cast.h"

namespace sluice::pgwire::testing {
namespace {

using sql::data_type;
using sql::value;

// Blanks and /* comments */ before a statement, which positions count but statements do not start with.
std::size_t leading_blanks(std::string_view s) {
  std::size_t at = 0;
  for (;;) {
    at = std::min(s.find_first_not_of(" \t\r\n", at), s.size());
    if (!s.substr(at).starts_with("/*")) return at;
    auto end = s.find("*/", at + 2);
    if (end == std::string_view::npos) return at;
    at = end + 2;
  }
}

std::string_view trim(std::string_view s) {
  s.remove_prefix(leading_blanks(s));
  return s.substr(0, std::min(s.find_last_not_of(" \t\r\n") + 1, s.size()));
}

std::optional<std::int64_t> number(std::string_view s) {
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return n;
}

query_result rows_of(sql::schema columns, std::vector<sql::row> rows) {
  auto tag = "SELECT " + std::to_string(rows.size());
  return query_result{std::move(columns), std::move(rows), tag, {}};
}

query_result all_types() {
  sql::schema columns{
      {"b", data_type::boolean},      {"i", data_type::bigint},     {"d", data_type::double_precision},
      {"t", data_type::text},         {"ts", data_type::timestamp}, {"tz", data_type::timestamptz},
      {"day", data_type::date},       {"iv", data_type::interval},  {"j", data_type::jsonb},
      {"nothing", data_type::unknown}};
  sql::row row{
      value::boolean(true),
      value::bigint(-42),
      value::double_precision(1.5),
      value::text("héllo"),
      value::timestamp(946684800LL * sql::micros_per_second + 1),  // 2000-01-01 00:00:00.000001
      value::timestamptz(0),
      value::date(10958),  // 2000-01-02
      value::interval_of(sql::interval{.months = 1, .days = 2, .micros = 3 * sql::micros_per_second}),
      value::jsonb(R"({"a": 1})"),
      value{}};
  return rows_of(std::move(columns), {std::move(row)});
}

// One statement; `offset` is where it starts in the text the caller was given.
sql::sql_result<query_result> run(std::string_view statement, int offset, gate* slow = nullptr) {
  if (statement.empty()) return query_result{};
  if (statement == "SELECT wait" && slow) {
    slow->entered.count_down();
    slow->opened.wait();
    return rows_of({{"?column?", data_type::bigint}}, {{value::bigint(1)}});
  }
  if (statement == "SELECT boom") throw std::runtime_error("the fixture's deliberate engine bug");
  if (statement == "SELECT types") return all_types();
  if (statement.starts_with("CREATE SOURCE IF NOT EXISTS ")) {
    sql::sql_error skipped{sql::sqlstate::duplicate_table, "source already exists, skipping", offset, {}, {}};
    return query_result{{}, {}, "CREATE SOURCE", {std::move(skipped)}};
  }
  if (statement.starts_with("CREATE SOURCE ")) return query_result{{}, {}, "CREATE SOURCE", {}};
  if (statement.starts_with("SELECT series ")) {
    if (auto n = number(statement.substr(14))) {
      std::vector<sql::row> rows;
      for (std::int64_t i = 1; i <= *n; ++i) rows.push_back({value::bigint(i)});
      return rows_of({{"n", data_type::bigint}}, std::move(rows));
    }
  }
  if (statement.starts_with("SELECT ")) {
    if (auto n = number(statement.substr(7)))
      return rows_of({{"?column?", data_type::bigint}}, {{value::bigint(*n)}});
    auto word = std::string(statement.substr(7));
    return sql::sql_fail(sql::sqlstate::undefined_column, "column \"" + word + "\" does not exist",
                         offset + 7);
  }
  return sql::sql_fail(sql::sqlstate::syntax_error, "syntax error", offset);
}

class echo_statement final : public prepared_statement {
 public:
  explicit echo_statement(std::vector<data_type> types) : types_(std::move(types)) {
    for (std::size_t i = 0; i < types_.size(); ++i)
      columns_.push_back({"p" + std::to_string(i + 1), types_[i]});
  }
  const std::vector<data_type>& parameter_types() const override { return types_; }
  const sql::schema& columns() const override { return columns_; }
  sql::sql_result<query_result> execute(const std::vector<parameter>& parameters) override {
    sql::row row;
    for (std::size_t i = 0; i < parameters.size(); ++i) {
      if (const auto* v = std::get_if<value>(&parameters[i])) {
        row.push_back(*v);
        continue;
      }
      try {
        row.push_back(sql::cast_from_text(std::get<std::string>(parameters[i]), types_[i]));
      } catch (const sql::eval_error& e) {
        return sql::sql_fail(e);
      }
    }
    return rows_of(columns_, {std::move(row)});
  }

 private:
  std::vector<data_type> types_;
  sql::schema columns_;
};

class canned_statement final : public prepared_statement {
 public:
  canned_statement(std::string sql, query_result shape)
      : sql_(std::move(sql)), columns_(std::move(shape.columns)) {}
  const std::vector<data_type>& parameter_types() const override { return no_parameters_; }
  const sql::schema& columns() const override { return columns_; }
  sql::sql_result<query_result> execute(const std::vector<parameter>&) override { return run(sql_, 0); }

 private:
  std::string sql_;
  std::vector<data_type> no_parameters_;
  sql::schema columns_;
};

sql::sql_result<std::unique_ptr<prepared_statement>> prepare_echo(std::string_view sql,
                                                                  std::vector<data_type> types) {
  std::size_t count = 0;
  for (auto at = sql.find('$'); at != std::string_view::npos; at = sql.find('$', at + 1)) ++count;
  types.resize(std::max(count, types.size()), data_type::unknown);
  for (auto& t : types)
    if (t == data_type::unknown) t = data_type::text;  // as Postgres resolves unknown
  return std::make_unique<echo_statement>(std::move(types));
}

class canned_session final : public query_session {
 public:
  explicit canned_session(std::shared_ptr<gate> slow) : slow_(std::move(slow)) {}

  std::vector<sql::sql_result<query_result>> simple_query(std::string_view sql) override {
    std::vector<sql::sql_result<query_result>> out;
    std::size_t start = 0;
    while (start <= sql.size()) {
      auto end = std::min(sql.find(';', start), sql.size());
      auto piece = sql.substr(start, end - start);
      auto statement = trim(piece);
      if (!statement.empty()) {
        out.push_back(run(statement, static_cast<int>(start + leading_blanks(piece)), slow_.get()));
        if (!out.back()) break;
      }
      start = end + 1;
    }
    return out;
  }

  sql::sql_result<std::unique_ptr<prepared_statement>> prepare(std::string_view sql,
                                                               const std::vector<data_type>& types) override {
    auto statement = trim(sql);
    if (statement.starts_with("ECHO")) return prepare_echo(statement, types);
    if (statement == "SELECT boom")
      return std::make_unique<canned_statement>(std::string(statement), query_result{});
    auto shape = run(statement, static_cast<int>(leading_blanks(sql)));
    if (!shape) return tl::unexpected(shape.error());
    return std::make_unique<canned_statement>(std::string(statement), std::move(*shape));
  }

 private:
  std::shared_ptr<gate> slow_;
};

class canned_factory final : public session_factory {
 public:
  explicit canned_factory(std::shared_ptr<gate> slow) : slow_(std::move(slow)) {}

  sql::sql_result<std::unique_ptr<query_session>> open_session(const startup_parameters& startup) override {
    for (const auto& [name, value] : startup)
      if (name == "database" && value == "missing")
        return sql::sql_fail("3D000", "database \"missing\" does not exist");
    return std::make_unique<canned_session>(slow_);
  }

 private:
  std::shared_ptr<gate> slow_;
};

}  // namespace

std::shared_ptr<session_factory> canned_sessions(std::shared_ptr<gate> slow_query_gate) {
  return std::make_shared<canned_factory>(std::move(slow_query_gate));
}

}  // namespace sluice::pgwire::testing
