#include "sql/slt.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

namespace sluice::sql {
namespace {

struct cursor {
  std::vector<std::string> lines;
  std::size_t next = 0;

  bool done() const { return next >= lines.size(); }
  // Lines up to a blank line (or `stop`), consumed.
  std::vector<std::string> block(const std::string& stop = "") {
    std::vector<std::string> out;
    while (!done() && !lines[next].empty() && (stop.empty() || lines[next] != stop))
      out.push_back(lines[next++]);
    return out;
  }
};

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

bool matches(const sql_error& e, const std::string& pattern) {
  return pattern.empty() || e.code == pattern || e.message.find(pattern) != std::string::npos;
}

std::vector<std::string> render(const query_result& r) {
  std::vector<std::string> out;
  for (const row& values : r.rows) {
    std::string line;
    for (std::size_t i = 0; i < values.size(); ++i) line += (i ? " " : "") + slt_text(values[i]);
    out.push_back(line);
  }
  return out;
}

std::string describe_error(const sql_error& e) {
  return fmt::format("{} {} (position {})", e.code, e.message, e.position);
}

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string rest_after(const std::string& line, std::size_t words_to_skip) {
  std::size_t pos = 0;
  for (std::size_t i = 0; i < words_to_skip; ++i) {
    pos = line.find_first_not_of(' ', pos);
    pos = line.find(' ', pos);
    if (pos == std::string::npos) return "";
  }
  std::size_t start = line.find_first_not_of(' ', pos);
  return start == std::string::npos ? "" : line.substr(start);
}

}  // namespace

std::string slt_text(const value& v) {
  if (v.is_null()) return "NULL";
  std::string text = v.to_text();
  return text.empty() ? "(empty)" : text;
}

slt_outcome run_slt(const std::string& text, sql_session& session) {
  cursor c;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) c.lines.push_back(line);
  slt_outcome outcome;
  while (!c.done()) {
    const std::string header = c.lines[c.next];
    int at = static_cast<int>(++c.next);
    std::vector<std::string> head = words(header);
    if (head.empty() || head[0].starts_with("#")) continue;
    ++outcome.records;
    auto fail = [&](const std::string& sql, const std::string& message) {
      outcome.failures.push_back({at, sql, message});
    };
    bool is_query = head[0] == "query";
    bool expect_error = head.size() > 1 && head[1] == "error";
    if (!is_query && head[0] != "statement") {
      fail(header, "unknown record type");
      c.block();
      continue;
    }
    std::string sql = joined(c.block(is_query && !expect_error ? "----" : ""));
    auto result = session.execute(sql);
    if (expect_error) {
      std::string pattern = rest_after(header, 2);
      if (result) {
        fail(sql, "expected an error matching \"" + pattern + "\" but it succeeded");
      } else if (!matches(result.error(), pattern)) {
        fail(sql, "expected an error matching \"" + pattern + "\", got " + describe_error(result.error()));
      }
      continue;
    }
    if (!result) {
      if (is_query && !c.done() && c.lines[c.next] == "----") {
        ++c.next;
        c.block();
      }
      fail(sql, "unexpected error " + describe_error(result.error()));
      continue;
    }
    if (!is_query) continue;
    std::vector<std::string> expected;
    if (!c.done() && c.lines[c.next] == "----") {
      ++c.next;
      expected = c.block();
    }
    std::vector<std::string> actual = render(*result);
    if (head.size() > 2 && head[2] == "rowsort") {
      std::sort(expected.begin(), expected.end());
      std::sort(actual.begin(), actual.end());
    }
    if (head.size() > 1 && head[1].size() != result->columns.size()) {
      fail(sql, fmt::format("expected {} columns, got {}:\n{}", head[1].size(), result->columns.size(),
                            joined(actual)));
    } else if (expected != actual) {
      fail(sql, "expected:\n" + joined(expected) + "\nactual:\n" + joined(actual));
    }
  }
  return outcome;
}

}  // namespace sluice::sql
