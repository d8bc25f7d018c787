#include "cli/sql_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "cli/json.h"

namespace sluice::cli {
namespace {

// Display width in characters: count UTF-8 lead bytes, not continuation bytes.
std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string pad(const std::string& s, std::size_t w, bool right) {
  std::string fill(w > width(s) ? w - width(s) : 0, ' ');
  return right ? fill + s : s + fill;
}

std::string center(const std::string& s, std::size_t w) {
  std::size_t total = w > width(s) ? w - width(s) : 0;
  return std::string(total / 2, ' ') + s + std::string(total - total / 2, ' ');
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string format_aligned(const sql_table& table) {
  std::vector<std::size_t> widths;
  for (const auto& c : table.columns) widths.push_back(width(c));
  for (const auto& row : table.rows) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], row[i] ? width(*row[i]) : 0);
    }
  }
  std::string out;
  for (std::size_t i = 0; i < widths.size(); ++i)
    out += (i ? " | " : " ") + center(table.columns[i], widths[i]);
  out += " \n";  // psql ends the header line with the cell padding (data lines it trims)
  for (std::size_t i = 0; i < widths.size(); ++i) out += (i ? "-+-" : "-") + std::string(widths[i], '-');
  out += "-\n";
  for (const auto& row : table.rows) {
    std::string line;
    for (std::size_t i = 0; i < widths.size(); ++i) {
      bool right = i < table.numeric.size() && table.numeric[i];
      line += (i ? " | " : " ") + pad(i < row.size() && row[i] ? *row[i] : "", widths[i], right);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  out += fmt::format("({} row{})\n", table.rows.size(), table.rows.size() == 1 ? "" : "s");
  return out;
}

std::string format_csv(const sql_table& table) {
  std::string out;
  for (std::size_t i = 0; i < table.columns.size(); ++i) out += (i ? "," : "") + csv_field(table.columns[i]);
  out += "\n";
  for (const auto& row : table.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + (row[i] ? csv_field(*row[i]) : "");
    out += "\n";
  }
  return out;
}

std::string format_json_lines(const sql_table& table) {
  std::string out;
  for (const auto& row : table.rows) {
    out += "{";
    for (std::size_t i = 0; i < row.size() && i < table.columns.size(); ++i) {
      if (i) out += ',';
      append_json_string(out, table.columns[i]);
      out += ':';
      if (row[i]) {
        append_json_string(out, *row[i]);
      } else {
        out += "null";
      }
    }
    out += "}\n";
  }
  return out;
}

std::string format_error(const std::string& severity, const std::string& message,
                         const std::string& statement, int position) {
  std::string out = severity + ":  " + message + "\n";
  if (position <= 0) return out;
  // Position counts characters from 1 over the whole statement; find its line.
  std::size_t chars = 0, line_start = 0, line_number = 1, at = 0;
  for (std::size_t i = 0; i < statement.size(); ++i) {
    if ((statement[i] & 0xC0) == 0x80) continue;
    if (++chars == static_cast<std::size_t>(position)) {
      at = i;
      break;
    }
    if (statement[i] == '\n') {
      line_start = i + 1;
      ++line_number;
    }
  }
  std::size_t line_end = statement.find('\n', line_start);
  std::string line =
      statement.substr(line_start, line_end == std::string::npos ? line_end : line_end - line_start);
  std::string prefix = fmt::format("LINE {}: ", line_number);
  out += prefix + line + "\n";
  out += std::string(prefix.size() + width(statement.substr(line_start, at - line_start)), ' ') + "^\n";
  return out;
}

bool ends_statement(const std::string& text) {
  char quote = 0;
  bool line_comment = false, block_comment = false, ends = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i], next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (line_comment) {
      line_comment = c != '\n';
    } else if (block_comment) {
      if (c == '*' && next == '/') block_comment = false, ++i;
    } else if (quote) {
      if (c == quote) quote = 0;  // a doubled quote reopens at once: '' stays inside
    } else if (c == '\'' || c == '"') {
      quote = c;
      ends = false;
    } else if (c == '-' && next == '-') {
      line_comment = true;
    } else if (c == '/' && next == '*') {
      block_comment = true;
    } else if (c == ';') {
      ends = true;
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      ends = false;
    }
  }
  return ends && !quote && !block_comment;
}

}  // namespace sluice::cli
