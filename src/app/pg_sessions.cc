// app/pg_sessions.cc — pgwire sessions over engine sessions. Prepared statements substitute their
// parameters into the statement text as typed literals ('…'::type), so the engine sees one SQL
// text per execution; binding once per Parse is left for when plans are cached.
#include <fmt/format.h>

#include "app/sql_endpoints.h"
#include "engine/engine.h"
#include "pgwire/query_handler.h"
#include "sql/cast.h"
#include "sql/copy.h"
#include "sql/functions.h"

namespace sluice::app {
namespace {

std::string quote_literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string literal(const pgwire::parameter& p, sql::data_type type) {
  std::string text;
  if (const auto* v = std::get_if<sql::value>(&p)) {
    if (v->is_null()) return "NULL";
    text = v->to_text();
  } else {
    text = std::get<std::string>(p);
  }
  if (type == sql::data_type::unknown) return quote_literal(text);
  return quote_literal(text) + "::" + std::string(sql::type_name(type));
}

// Replaces $n outside quotes, quoted identifiers and comments with what `replacement(n)` gives.
std::string substitute(std::string_view sql, const std::function<std::string(std::size_t)>& replacement) {
  std::string out;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    if (quote) {
      out += c;
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '-' && next == '-') {
      std::size_t end = sql.find('\n', i);
      end = end == std::string_view::npos ? sql.size() : end;
      out += sql.substr(i, end - i);
      i = end - 1;
    } else if (c == '$' && std::isdigit(static_cast<unsigned char>(next))) {
      std::size_t j = i + 1;
      std::size_t n = 0;
      while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j])))
        n = n * 10 + static_cast<std::size_t>(sql[j++] - '0');
      out += replacement(n);
      i = j - 1;
    } else {
      out += c;
    }
  }
  return out;
}

std::size_t count_parameters(std::string_view sql) {
  std::size_t highest = 0;
  substitute(sql, [&highest](std::size_t n) {
    highest = std::max(highest, n);
    return std::string();
  });
  return highest;
}

pgwire::query_result to_wire(sql::query_result r) {
  return pgwire::query_result{std::move(r.columns), std::move(r.rows), std::move(r.tag), {}};
}

class prepared final : public pgwire::prepared_statement {
 public:
  prepared(engine::engine_session& session, std::string sql, std::vector<sql::data_type> types,
           sql::schema columns)
      : session_(session), sql_(std::move(sql)), types_(std::move(types)), columns_(std::move(columns)) {}

  const std::vector<sql::data_type>& parameter_types() const override { return types_; }
  const sql::schema& columns() const override { return columns_; }

  sql::sql_result<pgwire::query_result> execute(const std::vector<pgwire::parameter>& parameters) override {
    std::string text = substitute(sql_, [&](std::size_t n) {
      if (n == 0 || n > parameters.size()) return std::string("NULL");
      return literal(parameters[n - 1], types_[n - 1]);
    });
    auto result = session_.execute(text);
    if (!result) return tl::unexpected(result.error());
    return to_wire(std::move(*result));
  }

 private:
  engine::engine_session& session_;
  std::string sql_;
  std::vector<sql::data_type> types_;     // as declared; unknown where the client gave none
  std::vector<sql::data_type> reported_;  // what Describe tells the client
  sql::schema columns_;
};

// The rows of one COPY … FROM STDIN go in as INSERTs of this many rows each, so that a COPY of
// millions of rows is not one statement text; a failing row leaves the earlier INSERTs written.
constexpr std::size_t copy_rows_per_insert = 5000;

// "a", "b": names as a column list.
std::string column_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + sql::quote_identifier(name);
  return out;
}

class session final : public pgwire::query_session {
 public:
  explicit session(std::unique_ptr<engine::engine_session> s) : session_(std::move(s)) {}

  std::vector<sql::sql_result<pgwire::query_result>> simple_query(std::string_view sql) override {
    if (sql::is_copy_statement(sql)) return {start_copy(sql)};
    std::vector<sql::sql_result<pgwire::query_result>> out;
    for (auto& r : session_->execute_each(sql)) {
      if (r) {
        out.emplace_back(to_wire(std::move(*r)));
      } else {
        out.emplace_back(tl::unexpected(r.error()));
      }
    }
    return out;
  }

  sql::sql_result<std::unique_ptr<pgwire::prepared_statement>> prepare(
      std::string_view sql, const std::vector<sql::data_type>& declared) override {
    std::vector<sql::data_type> types(count_parameters(sql), sql::data_type::unknown);
    for (std::size_t i = 0; i < declared.size() && i < types.size(); ++i) types[i] = declared[i];
    // The result columns: the statement bound with NULLs of the parameters' types.
    std::string probe = substitute(sql, [&types](std::size_t n) {
      if (n == 0 || n > types.size() || types[n - 1] == sql::data_type::unknown) return std::string("NULL");
      return "NULL::" + std::string(sql::type_name(types[n - 1]));
    });
    if (sql::is_copy_statement(sql))
      return sql::sql_fail(sql::sqlstate::feature_not_supported, "COPY is supported in simple queries only");
    auto columns = session_->describe_columns(probe);
    if (!columns) return tl::unexpected(columns.error());
    return std::make_unique<prepared>(*session_, std::string(sql), std::move(types), std::move(*columns));
  }

  sql::sql_result<pgwire::query_result> copy_in(std::optional<std::string_view> data) override {
    std::optional<pending_copy> pending = std::move(pending_);
    pending_.reset();
    if (!pending) return sql::sql_fail("08P01", "no COPY is in progress");
    if (!data) return pgwire::query_result{};
    return copy_rows_in(*pending, *data);
  }

 private:
  struct pending_copy {
    sql::copy_statement copy;
    sql::schema columns;
  };

  // COPY … FROM STDIN waits for the data (the columns checked first); COPY … TO STDOUT runs its query
  // and hands back its rows as COPY's lines.
  sql::sql_result<pgwire::query_result> start_copy(std::string_view sql) {
    auto copy = sql::parse_copy(sql);
    if (!copy) return tl::unexpected(copy.error());
    std::string columns = copy->columns.empty() ? "*" : column_list(copy->columns);
    std::string query = copy->query.empty()
                            ? "SELECT " + columns + " FROM " + sql::quote_identifier(copy->table)
                            : copy->query;
    // Errors point at nothing: their positions are in the query made here, not in the COPY's text.
    auto unplaced = [](sql::sql_error error) {
      error.position = -1;
      return tl::unexpected(std::move(error));
    };
    pgwire::query_result out;
    if (copy->from_client) {
      auto described = session_->describe_columns(query);
      if (!described) return unplaced(described.error());
      out.copy_in_columns = described->size();
      pending_ = pending_copy{std::move(*copy), std::move(*described)};
      return out;
    }
    auto result = session_->execute(query);
    if (!result) return unplaced(result.error());
    std::vector<std::string> lines;
    if (copy->header) lines.push_back(sql::copy_header(result->columns, *copy));
    for (const auto& row : result->rows) lines.push_back(sql::copy_line(row, *copy));
    out.command_tag = fmt::format("COPY {}", result->rows.size());
    out.columns = std::move(result->columns);
    out.copy_out = std::move(lines);
    return out;
  }

  sql::sql_result<pgwire::query_result> copy_rows_in(const pending_copy& pending, std::string_view data) {
    auto rows = sql::read_copy_data(data, pending.copy);
    if (!rows) return tl::unexpected(rows.error());
    const sql::schema& columns = pending.columns;
    for (std::size_t i = 0; i < rows->size(); ++i) {
      const auto& fields = (*rows)[i];
      if (fields.size() == columns.size()) continue;
      std::string what = fields.size() < columns.size()
                             ? fmt::format("missing data for column \"{}\"", columns[fields.size()].name)
                             : std::string("extra data after last expected column");
      return sql::sql_fail("22P04", fmt::format("{} (row {} of the COPY data)", what, i + 1));
    }
    std::vector<std::string> names;
    for (const auto& c : columns) names.push_back(c.name);
    std::string head =
        "INSERT INTO " + sql::quote_identifier(pending.copy.table) + " (" + column_list(names) + ") VALUES ";
    std::string values;
    std::size_t in_values = 0;
    for (std::size_t i = 0; i < rows->size(); ++i) {
      values += values.empty() ? "(" : ", (";
      const auto& fields = (*rows)[i];
      for (std::size_t f = 0; f < fields.size(); ++f)
        values += (f == 0 ? "" : ", ") + (fields[f] ? quote_literal(*fields[f]) : std::string("NULL"));
      values += ")";
      if (++in_values < copy_rows_per_insert && i + 1 < rows->size()) continue;
      auto inserted = session_->execute(head + values);
      if (!inserted) {
        sql::sql_error error = inserted.error();
        error.position = -1;  // a place in the INSERT made here, not in anything the client sent
        return tl::unexpected(std::move(error));
      }
      values.clear();
      in_values = 0;
    }
    pgwire::query_result out;
    out.command_tag = fmt::format("COPY {}", rows->size());
    return out;
  }

  std::unique_ptr<engine::engine_session> session_;
  std::optional<pending_copy> pending_;
};

class factory final : public pgwire::session_factory {
 public:
  explicit factory(engine::engine& e) : engine_(e) {}
  sql::sql_result<std::unique_ptr<pgwire::query_session>> open_session(
      const pgwire::startup_parameters&) override {
    return std::make_unique<session>(engine_.open_session());
  }

 private:
  engine::engine& engine_;
};

}  // namespace

std::shared_ptr<pgwire::session_factory> engine_sessions(engine::engine& e) {
  return std::make_shared<factory>(e);
}

}  // namespace sluice::app
