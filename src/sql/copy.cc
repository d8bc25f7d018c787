#include "sql/copy.h"

#include <fmt/format.h>

#include <cctype>

#include "base/result.h"
#include "sql/cast.h"
#include "sql/pg_tree.h"

namespace sluice::sql {
namespace {

tl::unexpected<sql_error> bad_format(std::size_t line, const std::string& what) {
  return sql_fail("22P04", fmt::format("{} (line {} of the COPY data)", what, line));
}

// The text of the parenthesized query after COPY, for COPY (query) TO STDOUT.
std::string parenthesized_query(std::string_view sql) {
  std::size_t open = sql.find('(');
  int depth = 0;
  char quote = 0;
  for (std::size_t i = open; i < sql.size(); ++i) {
    char c = sql[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth == 0) {
      return std::string(sql.substr(open + 1, i - open - 1));
    }
  }
  return {};
}

// A one-character option (DELIMITER, QUOTE).
sql_result<char> single_char(std::string_view value, const char* option) {
  if (value.size() != 1) {
    return sql_fail(sqlstate::feature_not_supported,
                    fmt::format("COPY {} must be a single one-byte character", option));
  }
  return value[0];
}

sql_result<void> apply_option(pg_node def, copy_statement& out, bool& delimiter_set, bool& null_set) {
  std::string name(pg::string(def, "defname"));
  auto arg = pg::field(def, "arg");
  std::string text;
  bool flag = true;
  if (arg) {
    pg_node value = pg::node_body(*arg);
    if (pg::is(*arg, "String")) text = pg::string(value, "sval");
    if (pg::is(*arg, "Boolean")) flag = pg::flag(value, "boolval");
    if (pg::is(*arg, "Integer")) flag = pg::integer(value, "ival") != 0;
    if (pg::is(*arg, "String"))
      flag = ascii_lower(text) != "false" && text != "0" && ascii_lower(text) != "off";
  }
  if (name == "format") {
    std::string format = ascii_lower(text);
    if (format == "binary")
      return sql_fail(sqlstate::feature_not_supported, "COPY in binary format is not supported");
    if (format != "csv" && format != "text")
      return sql_fail(sqlstate::invalid_parameter_value,
                      fmt::format("COPY format \"{}\" not recognized", text));
    out.csv = format == "csv";
  } else if (name == "header") {
    out.header = flag;
  } else if (name == "delimiter") {
    SLUICE_ASSIGN_OR_RETURN(out.delimiter, single_char(text, "delimiter"));
    delimiter_set = true;
  } else if (name == "null") {
    out.null_text = text;
    null_set = true;
  } else if (name == "quote") {
    SLUICE_ASSIGN_OR_RETURN(out.quote, single_char(text, "quote"));
  } else if (name != "encoding" && name != "freeze") {
    return sql_fail(sqlstate::feature_not_supported,
                    fmt::format("COPY option \"{}\" is not supported", name));
  }
  return {};
}

// Text format: splits a line on unescaped delimiters, then undoes the escapes of each field (a field
// that reads as the NULL marker before that is NULL).
copy_fields text_fields(std::string_view line, const copy_statement& copy) {
  copy_fields out;
  std::string raw;
  auto finish = [&] {
    if (raw == copy.null_text) {
      out.emplace_back(std::nullopt);
    } else {
      std::string value;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c != '\\' || i + 1 == raw.size()) {
          value += c;
          continue;
        }
        char e = raw[++i];
        if (e >= '0' && e <= '7') {
          int code = 0;
          for (int n = 0; n < 3 && i < raw.size() && raw[i] >= '0' && raw[i] <= '7'; ++n)
            code = code * 8 + (raw[i++] - '0');
          --i;
          value += static_cast<char>(code);
        } else if (e == 'x' && i + 1 < raw.size() && std::isxdigit(static_cast<unsigned char>(raw[i + 1]))) {
          int code = 0;
          for (int n = 0;
               n < 2 && i + 1 < raw.size() && std::isxdigit(static_cast<unsigned char>(raw[i + 1])); ++n)
            code = code * 16 + std::stoi(std::string(1, raw[++i]), nullptr, 16);
          value += static_cast<char>(code);
        } else {
          switch (e) {
            case 'b':
              value += '\b';
              break;
            case 'f':
              value += '\f';
              break;
            case 'n':
              value += '\n';
              break;
            case 'r':
              value += '\r';
              break;
            case 't':
              value += '\t';
              break;
            case 'v':
              value += '\v';
              break;
            default:
              value += e;
          }
        }
      }
      out.emplace_back(std::move(value));
    }
    raw.clear();
  };
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\\' && i + 1 < line.size()) {
      raw += c;
      raw += line[++i];
    } else if (c == copy.delimiter) {
      finish();
    } else {
      raw += c;
    }
  }
  finish();
  return out;
}

}  // namespace

bool is_copy_statement(std::string_view sql) {
  std::size_t i = 0;
  while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
  return ascii_lower(sql.substr(i, 4)) == "copy" &&
         (i + 4 == sql.size() || !std::isalnum(static_cast<unsigned char>(sql[i + 4])));
}

sql_result<copy_statement> parse_copy(std::string_view sql) {
  auto tree = pg_parse(std::string(sql));
  if (!tree) return tl::unexpected(tree.error());
  if (pg::node_type((*tree)->statement) != "CopyStmt")
    return sql_fail(sqlstate::syntax_error, "not a COPY statement");
  pg_node body = pg::node_body((*tree)->statement);
  copy_statement out;
  out.from_client = pg::flag(body, "is_from");
  if (pg::flag(body, "is_program") || pg::field(body, "filename")) {
    auto error =
        sql_fail(sqlstate::feature_not_supported, "COPY to or from a file or program is not supported");
    error.value().hint = "Use COPY … FROM STDIN or TO STDOUT, as psql's \\copy does.";
    return error;
  }
  if (auto relation = pg::field(body, "relation")) out.table = pg::string(*relation, "relname");
  if (pg::field(body, "query")) out.query = parenthesized_query(sql);
  out.columns = pg::names(body, "attlist");
  bool delimiter_set = false, null_set = false;
  for (pg_node option : pg::list(body, "options")) {
    if (auto applied = apply_option(pg::node_body(option), out, delimiter_set, null_set); !applied)
      return tl::unexpected(applied.error());
  }
  if (out.csv && !delimiter_set) out.delimiter = ',';
  if (out.csv && !null_set) out.null_text.clear();
  return out;
}

sql_result<std::vector<copy_fields>> read_copy_data(std::string_view data, const copy_statement& copy) {
  std::vector<copy_fields> rows;
  std::size_t line = 0;
  std::size_t at = 0;
  bool header_pending = copy.header;
  while (at < data.size()) {
    ++line;
    if (!copy.csv) {
      std::size_t end = data.find('\n', at);
      std::string_view text =
          data.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
      at = end == std::string_view::npos ? data.size() : end + 1;
      if (text.ends_with('\r')) text.remove_suffix(1);
      if (text == "\\.") break;
      if (header_pending) {
        header_pending = false;
        continue;
      }
      rows.push_back(text_fields(text, copy));
      continue;
    }
    // CSV: a quoted field may hold delimiters, quotes (doubled) and line breaks.
    copy_fields fields;
    std::string field;
    bool quoted = false, in_quotes = false, ended = false;
    if (data.substr(at).starts_with("\\.\n") || data.substr(at) == "\\." ||
        data.substr(at).starts_with("\\.\r"))
      break;
    while (at < data.size() && !ended) {
      char c = data[at++];
      if (in_quotes) {
        if (c == copy.quote && at < data.size() && data[at] == copy.quote) {
          field += c;
          ++at;
        } else if (c == copy.quote) {
          in_quotes = false;
        } else {
          field += c;
        }
      } else if (c == copy.quote) {
        in_quotes = quoted = true;
      } else if (c == copy.delimiter || c == '\n' || c == '\r') {
        if (c == '\r' && at < data.size() && data[at] == '\n') ++at;
        bool null = !quoted && field == copy.null_text;
        fields.push_back(null ? std::nullopt : std::optional<std::string>(std::move(field)));
        field.clear();
        quoted = false;
        ended = c != copy.delimiter;
      } else {
        field += c;
      }
    }
    if (in_quotes) return bad_format(line, "unterminated CSV quoted field");
    if (!ended)
      fields.push_back(!quoted && field == copy.null_text ? std::nullopt : std::optional<std::string>(field));
    if (header_pending) {
      header_pending = false;
      continue;
    }
    rows.push_back(std::move(fields));
  }
  return rows;
}

namespace {

std::string csv_field(const std::string& text, const copy_statement& copy) {
  bool quote = text.empty() || text == copy.null_text || text == "\\." ||
               text.find_first_of(std::string{copy.delimiter, copy.quote, '\n', '\r'}) != std::string::npos;
  if (!quote) return text;
  std::string out(1, copy.quote);
  for (char c : text) {
    if (c == copy.quote) out += c;
    out += c;
  }
  return out + copy.quote;
}

std::string text_field(const std::string& text, const copy_statement& copy) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c == copy.delimiter) out += '\\';
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string copy_line(const row& r, const copy_statement& copy) {
  std::string out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (i > 0) out += copy.delimiter;
    if (r[i].is_null()) {
      out += copy.null_text;
      continue;
    }
    std::string text = r[i].type() == data_type::boolean ? (r[i].as_bool() ? "t" : "f") : r[i].to_text();
    out += copy.csv ? csv_field(text, copy) : text_field(text, copy);
  }
  return out + '\n';
}

std::string copy_header(const schema& columns, const copy_statement& copy) {
  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out += copy.delimiter;
    out += copy.csv ? csv_field(columns[i].name, copy) : text_field(columns[i].name, copy);
  }
  return out + '\n';
}

}  // namespace sluice::sql
