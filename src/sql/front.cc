// sql/front.cc — CREATE SOURCE/TABLE/SINK/MATERIALIZED VIEW, DROP, SHOW and DESCRIBE. Column lists
// and queries still go through the PostgreSQL grammar: the dialect's own clauses (WATERMARK FOR,
// WITH (…) options, the SINK head) are read here and blanked out of the text handed to pg_parse.
#include "sql/front.h"

#include <fmt/format.h>

#include <algorithm>

#include "sql/cast.h"

namespace sluice::sql {

tl::unexpected<sql_error> syntax_error_at(const token& t) {
  if (t.kind == token_kind::end)
    return sql_fail(sqlstate::syntax_error, "syntax error at end of input", t.pos);
  std::string shown = t.kind == token_kind::string ? "'" + t.text + "'" : t.text;
  return sql_fail(sqlstate::syntax_error, fmt::format("syntax error at or near \"{}\"", shown), t.pos);
}

namespace {

// A cursor over the tokens of one statement.
struct reader {
  const std::vector<token>& t;
  std::size_t i = 0;

  const token& peek(std::size_t ahead = 0) const { return t[std::min(i + ahead, t.size() - 1)]; }
  bool at_word(std::string_view w, std::size_t ahead = 0) const {
    return peek(ahead).kind == token_kind::word && peek(ahead).text == w;
  }
  bool at_symbol(char c) const { return peek().kind == token_kind::symbol && peek().text[0] == c; }
  bool accept_word(std::string_view w) {
    if (!at_word(w)) return false;
    ++i;
    return true;
  }
  bool accept_words(std::initializer_list<std::string_view> words) {
    std::size_t k = 0;
    for (std::string_view w : words) {
      if (!at_word(w, k++)) return false;
    }
    i += words.size();
    return true;
  }
  bool at_end() const { return peek().kind == token_kind::end; }
  // An identifier: a word or a quoted name.
  sql_result<std::string> name() {
    if (peek().kind != token_kind::word && peek().kind != token_kind::quoted) return syntax_error_at(peek());
    return t[i++].text;
  }
};

void blank(std::string& text, int from, int to) { std::fill(text.begin() + from, text.begin() + to, ' '); }

std::string original(const std::string& text, const std::vector<token>& tokens) {
  return text.substr(tokens.front().pos, tokens[tokens.size() - 2].end - tokens.front().pos);
}

// Index of the top-level `WITH (` that ends the statement, or npos.
std::size_t find_options(const std::vector<token>& tokens) {
  int depth = 0;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    const token& tk = tokens[i];
    if (tk.kind == token_kind::symbol && tk.text == "(") ++depth;
    if (tk.kind == token_kind::symbol && tk.text == ")") --depth;
    if (depth == 0 && tk.kind == token_kind::word && tk.text == "with" && tokens[i + 1].text == "(" &&
        tokens[i + 1].kind == token_kind::symbol) {
      return i;
    }
  }
  return std::string::npos;
}

// WITH ( key[.key…] = value, … ): values are strings, words or numbers. Leaves r after the `)`.
sql_result<std::map<std::string, std::string>> read_options(reader& r) {
  std::map<std::string, std::string> out;
  r.i += 2;
  while (!r.at_symbol(')')) {
    auto key = r.name();
    if (!key) return tl::unexpected(key.error());
    while (r.at_symbol('.')) {
      ++r.i;
      auto part = r.name();
      if (!part) return tl::unexpected(part.error());
      *key += "." + *part;
    }
    if (!r.at_symbol('=')) return syntax_error_at(r.peek());
    ++r.i;
    const token& v = r.peek();
    if (v.kind == token_kind::end || v.kind == token_kind::symbol) return syntax_error_at(v);
    out[*key] = v.text;
    ++r.i;
    if (r.at_symbol(',')) {
      ++r.i;
    } else if (!r.at_symbol(')')) {
      return syntax_error_at(r.peek());
    }
  }
  ++r.i;
  if (!r.at_end()) return syntax_error_at(r.peek());
  if (auto f = out.find("format"); f != out.end() && f->second != "json" && f->second != "csv") {
    return sql_fail(sqlstate::invalid_parameter_value,
                    fmt::format("unknown format \"{}\" (json or csv)", f->second));
  }
  return out;
}

sql_result<std::map<std::string, std::string>> take_options(std::string& text,
                                                            const std::vector<token>& tokens) {
  std::size_t at = find_options(tokens);
  if (at == std::string::npos) return std::map<std::string, std::string>{};
  reader r{tokens, at};
  auto options = read_options(r);
  if (options) blank(text, tokens[at].pos, tokens[r.i - 1].end);
  return options;
}

struct parsed_watermark {
  std::string column;
  std::int64_t delay_micros = 0;
  int position = -1;
};

// `, WATERMARK FOR col AS col [- INTERVAL 'n' [unit]]` inside the column list; blanked from `text`.
sql_result<std::optional<parsed_watermark>> take_watermark(std::string& text,
                                                           const std::vector<token>& tokens) {
  int depth = 0;
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    if (tokens[i].text == "(" && tokens[i].kind == token_kind::symbol) ++depth;
    if (tokens[i].text == ")" && tokens[i].kind == token_kind::symbol) --depth;
    if (depth != 1 || tokens[i].kind != token_kind::word || tokens[i].text != "watermark") continue;
    reader r{tokens, i + 1};
    parsed_watermark w;
    w.position = tokens[i].pos;
    if (!r.accept_word("for")) return syntax_error_at(r.peek());
    auto column = r.name();
    if (!column) return tl::unexpected(column.error());
    w.column = *column;
    if (!r.accept_word("as")) return syntax_error_at(r.peek());
    auto again = r.name();
    if (!again) return tl::unexpected(again.error());
    if (r.at_symbol('-')) {
      ++r.i;
      if (!r.accept_word("interval") || r.peek().kind != token_kind::string) return syntax_error_at(r.peek());
      std::string literal = r.t[r.i++].text;
      if (r.peek().kind == token_kind::word) literal += " " + r.t[r.i++].text;
      try {
        w.delay_micros = cast_from_text(literal, data_type::interval).as_interval().approximate_micros();
      } catch (const eval_error& e) {
        return sql_fail(e, tokens[r.i - 1].pos);
      }
    }
    if (!r.at_symbol(')') && !r.at_symbol(',')) return syntax_error_at(r.peek());
    int from = tokens[i - 1].text == "," ? tokens[i - 1].pos : tokens[i].pos;
    int to = r.at_symbol(',') ? r.peek().end : r.peek().pos;
    blank(text, from, to);
    return std::optional<parsed_watermark>(w);
  }
  return std::optional<parsed_watermark>();
}

// The text of a column's DEFAULT expression, which starts at `from` (after the keyword): up to the comma or
// parenthesis that ends the column, or the next constraint's keyword, outside parentheses.
std::string default_text(const std::string& text, int from) {
  static const char* const next_constraint[] = {"not",        "null",       "primary", "unique",   "check",
                                                "references", "constraint", "collate", "generated"};
  int depth = 0, end = from;
  for (const token& t : lex(std::string_view(text).substr(static_cast<std::size_t>(from)))) {
    if (t.kind == token_kind::end) break;
    bool symbol = t.kind == token_kind::symbol;
    if (symbol && t.text == "(") ++depth;
    if (depth == 0 && symbol && (t.text == "," || t.text == ")")) break;
    if (depth == 0 && t.kind == token_kind::word && t.pos > 0 &&
        std::find(std::begin(next_constraint), std::end(next_constraint), t.text) !=
            std::end(next_constraint))
      break;
    if (symbol && t.text == ")") --depth;
    end = from + t.end;
  }
  return text.substr(static_cast<std::size_t>(from), static_cast<std::size_t>(end - from));
}

sql_result<relation_info> read_create_stmt(pg_node body, relation_kind kind, const std::string& text) {
  relation_info info;
  info.kind = kind;
  info.name = pg::string(*pg::field(body, "relation"), "relname");
  std::vector<std::pair<std::string, int>> keys;
  for (pg_node element : pg::list(body, "tableElts")) {
    pg_node e = pg::node_body(element);
    if (pg::is(element, "ColumnDef")) {
      auto type_name = pg::field(e, "typeName");
      if (!type_name) {
        return sql_fail(sqlstate::feature_not_supported, "every column needs a type", pg::location(element));
      }
      auto type = pg::type_of(*type_name);
      if (!type) return tl::unexpected(type.error());
      auto typmod = pg::typmod_of(*type_name);
      if (!typmod) return tl::unexpected(typmod.error());
      info.columns.push_back({std::string(pg::string(e, "colname")), *type, *typmod});
      info.defaults.emplace_back();
      for (pg_node c : pg::list(e, "constraints")) {
        std::string_view constraint = pg::string(pg::node_body(c), "contype");
        if (constraint == "CONSTR_PRIMARY")
          keys.emplace_back(info.columns.back().name, pg::location(element));
        if (constraint == "CONSTR_NOTNULL")
          info.not_null.push_back(static_cast<int>(info.columns.size()) - 1);
        if (constraint == "CONSTR_DEFAULT" && pg::field(pg::node_body(c), "raw_expr")) {
          // The constraint starts at its DEFAULT keyword; the expression's own location can be an
          // operator's (a cast's ::), not its start.
          int keyword = pg::location(c);
          info.defaults.back() = default_text(text, keyword + 7);
        }
      }
    } else if (pg::is(element, "Constraint") && pg::string(e, "contype") == "CONSTR_PRIMARY") {
      for (const std::string& key : pg::names(e, "keys")) keys.emplace_back(key, pg::location(element));
    }
  }
  for (auto& [key, at] : keys) {
    int index = column_index(info.columns, key);
    if (index < 0) {
      return sql_fail(sqlstate::undefined_column,
                      fmt::format("column \"{}\" named in key does not exist", key), at);
    }
    info.primary_key.push_back(index);
    if (std::find(info.not_null.begin(), info.not_null.end(), index) == info.not_null.end())
      info.not_null.push_back(index);
  }
  return info;
}

}  // namespace

sql_result<statement> parse_create_relation(const std::string& text, const std::vector<token>& tokens,
                                            bool table) {
  std::string rewritten = text;
  auto options = take_options(rewritten, tokens);
  if (!options) return tl::unexpected(options.error());
  auto watermark = take_watermark(rewritten, tokens);
  if (!watermark) return tl::unexpected(watermark.error());
  if (!table) std::copy_n("table ", 6, rewritten.begin() + tokens[1].pos);
  auto tree = pg_parse(rewritten);
  if (!tree) return tl::unexpected(tree.error());
  if (pg::is((*tree)->statement, "CreateTableAsStmt")) {
    return sql_fail(sqlstate::feature_not_supported,
                    "CREATE TABLE AS is not supported; use CREATE MATERIALIZED VIEW", tokens[0].pos);
  }
  if (!pg::is((*tree)->statement, "CreateStmt")) return syntax_error_at(tokens[2]);
  pg_node body = pg::node_body((*tree)->statement);
  auto info = read_create_stmt(body, table ? relation_kind::table : relation_kind::source, rewritten);
  if (!info) return tl::unexpected(info.error());
  info->options = std::move(*options);
  info->definition = original(text, tokens);
  if (*watermark) {
    int index = column_index(info->columns, (*watermark)->column);
    if (index < 0) {
      return sql_fail(sqlstate::undefined_column,
                      fmt::format("column \"{}\" does not exist", (*watermark)->column),
                      (*watermark)->position);
    }
    info->watermark = watermark_spec{index, (*watermark)->delay_micros};
  }
  bool if_not_exists = pg::flag(body, "if_not_exists");
  if (table) return create_table_stmt{std::move(*info), if_not_exists};
  return create_source_stmt{std::move(*info), if_not_exists};
}

namespace {

// A view named `name` whose query is `query` in `tree`: the query's text is what follows the first AS.
create_view_stmt view_of(std::shared_ptr<parse_tree> tree, pg_node query, std::string_view name,
                         const std::string& text, const std::vector<token>& tokens) {
  create_view_stmt out;
  out.name = name;
  tree->select = pg::node_body(query);
  out.query = std::move(tree);
  out.definition = original(text, tokens);
  reader r{tokens, 2};
  while (!r.at_end() && !r.at_word("as")) ++r.i;
  out.query_sql = text.substr(r.peek(1).pos, tokens[tokens.size() - 2].end - r.peek(1).pos);
  return out;
}

}  // namespace

sql_result<statement> parse_create_view(const std::string& text, const std::vector<token>& tokens) {
  auto tree = pg_parse(text);
  if (!tree) return tl::unexpected(tree.error());
  pg_node body = pg::node_body((*tree)->statement);
  if (!pg::is((*tree)->statement, "CreateTableAsStmt")) return syntax_error_at(tokens[1]);
  create_view_stmt out =
      view_of(*tree, *pg::field(body, "query"),
              pg::string(*pg::field(*pg::field(body, "into"), "rel"), "relname"), text, tokens);
  out.if_not_exists = pg::flag(body, "if_not_exists");
  return out;
}

// CREATE VIEW v AS SELECT …: views are kept up to date here, so a view is a materialized view; its
// rows are what Postgres's view would return.
sql_result<statement> parse_create_plain_view(const std::string& text, const std::vector<token>& tokens) {
  auto tree = pg_parse(text);
  if (!tree) return tl::unexpected(tree.error());
  if (!pg::is((*tree)->statement, "ViewStmt")) return syntax_error_at(tokens[1]);
  pg_node body = pg::node_body((*tree)->statement);
  if (pg::flag(body, "replace")) {
    return sql_fail(sqlstate::feature_not_supported,
                    "CREATE OR REPLACE VIEW is not supported; DROP VIEW, then CREATE VIEW", tokens[0].pos);
  }
  if (!pg::list(body, "aliases").empty()) {
    return sql_fail(sqlstate::feature_not_supported,
                    "a column list in CREATE VIEW is not supported; name the columns in the query (AS name)",
                    tokens[0].pos);
  }
  return view_of(*tree, *pg::field(body, "query"), pg::string(*pg::field(body, "view"), "relname"), text,
                 tokens);
}

sql_result<statement> parse_create_sink(const std::string& text, const std::vector<token>& tokens) {
  reader r{tokens, 2};
  create_sink_stmt out;
  out.if_not_exists = r.accept_words({"if", "not", "exists"});
  auto name = r.name();
  if (!name) return tl::unexpected(name.error());
  out.name = *name;
  std::size_t with = find_options(tokens);
  std::size_t end = with == std::string::npos ? tokens.size() - 1 : with;
  if (with != std::string::npos) {
    reader o{tokens, with};
    auto options = read_options(o);
    if (!options) return tl::unexpected(options.error());
    out.options = std::move(*options);
  }
  out.definition = original(text, tokens);
  if (r.accept_word("from")) {
    auto from = r.name();
    if (!from) return tl::unexpected(from.error());
    out.from = *from;
    if (r.i != end) return syntax_error_at(r.peek());
    return out;
  }
  if (!r.accept_word("as") || r.i >= end) return syntax_error_at(r.peek());
  int from = r.peek().pos;
  int to = tokens[end - 1].end;
  std::string query(text.size(), ' ');
  std::copy(text.begin() + from, text.begin() + to, query.begin() + from);
  auto tree = pg_parse(query);
  if (!tree) return tl::unexpected(tree.error());
  if (!pg::is((*tree)->statement, "SelectStmt")) return syntax_error_at(r.peek());
  (*tree)->select = pg::node_body((*tree)->statement);
  out.query = *tree;
  out.query_sql = text.substr(from, to - from);
  return out;
}

namespace {

// SOURCE(S) | TABLE(S) | SINK(S) | [MATERIALIZED] VIEW(S); plural for SHOW.
std::optional<relation_kind> read_kind(reader& r, bool plural) {
  auto word = [plural](const char* singular) { return std::string(singular) + (plural ? "s" : ""); };
  if (r.accept_word(word("source"))) return relation_kind::source;
  if (r.accept_word(word("table"))) return relation_kind::table;
  if (r.accept_word(word("sink"))) return relation_kind::sink;
  if (r.accept_words({"materialized", word("view")}) || r.accept_word(word("view")))
    return relation_kind::view;
  return std::nullopt;
}

}  // namespace

sql_result<statement> parse_drop(const std::vector<token>& tokens) {
  reader r{tokens, 1};
  drop_stmt out;
  auto kind = read_kind(r, false);
  if (!kind) return syntax_error_at(r.peek());
  out.kind = *kind;
  out.if_exists = r.accept_words({"if", "exists"});
  auto name = r.name();
  if (!name) return tl::unexpected(name.error());
  out.name = *name;
  out.cascade = r.accept_word("cascade");
  if (!out.cascade) r.accept_word("restrict");
  if (!r.at_end()) return syntax_error_at(r.peek());
  return out;
}

sql_result<statement> parse_show(const std::vector<token>& tokens) {
  reader r{tokens, 1};
  if (auto kind = read_kind(r, true)) {
    if (!r.at_end()) return syntax_error_at(r.peek());
    return show_relations_stmt{*kind};
  }
  if (r.accept_words({"transaction", "isolation", "level"}))
    return show_variable_stmt{"transaction_isolation"};
  if (r.accept_words({"time", "zone"})) return show_variable_stmt{"timezone"};
  auto name = r.name();
  if (!name) return tl::unexpected(name.error());
  if (!r.at_end()) return syntax_error_at(r.peek());
  std::string lowered = *name;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return show_variable_stmt{lowered};
}

sql_result<statement> parse_describe(const std::vector<token>& tokens) {
  reader r{tokens, 1};
  int at = r.peek().pos;
  auto name = r.name();
  if (!name) return tl::unexpected(name.error());
  if (!r.at_end()) return syntax_error_at(r.peek());
  return describe_stmt{*name, at};
}

}  // namespace sluice::sql
