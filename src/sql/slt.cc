// sql/slt.cc — reads sqllogictest records and checks each against a session (format in slt.h).
#include "sql/slt.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
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

namespace {

// One record: its header words and SQL, read from the cursor (expected rows too, for queries).
struct record {
  int line = 0;
  std::vector<std::string> head;
  std::string header;
  std::string sql;
  std::vector<std::string> expected;
  bool is_query() const { return head[0] == "query"; }
  bool expects_error() const { return head.size() > 1 && head[1] == "error"; }
};

record read_record(cursor& c) {
  record r;
  r.header = c.lines[c.next];
  r.line = static_cast<int>(++c.next);
  r.head = words(r.header);
  bool has_rows = r.is_query() && !r.expects_error();
  r.sql = joined(c.block(has_rows ? "----" : ""));
  if (has_rows && !c.done() && c.lines[c.next] == "----") {
    ++c.next;
    r.expected = c.block();
  }
  return r;
}

// Empty when the record passed, else what went wrong.
std::string check(const record& r, const sql_result<query_result>& result) {
  if (r.expects_error()) {
    std::string pattern = rest_after(r.header, 2);
    if (result) return "expected an error matching \"" + pattern + "\" but it succeeded";
    if (!matches(result.error(), pattern)) {
      return "expected an error matching \"" + pattern + "\", got " + describe_error(result.error());
    }
    return "";
  }
  if (!result) return "unexpected error " + describe_error(result.error());
  if (!r.is_query()) return "";
  std::vector<std::string> expected = r.expected;
  std::vector<std::string> actual = render(*result);
  if (r.head.size() > 2 && r.head[2] == "rowsort") {
    std::sort(expected.begin(), expected.end());
    std::sort(actual.begin(), actual.end());
  }
  if (r.head.size() > 1 && r.head[1].size() != result->columns.size()) {
    return fmt::format("expected {} columns, got {}:\n{}", r.head[1].size(), result->columns.size(),
                       joined(actual));
  }
  if (expected != actual) return "expected:\n" + joined(expected) + "\nactual:\n" + joined(actual);
  return "";
}

}  // namespace

slt_outcome run_slt(const std::string& text, sql_session& session) {
  cursor c;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) c.lines.push_back(line);
  slt_outcome outcome;
  while (!c.done()) {
    std::vector<std::string> head = words(c.lines[c.next]);
    if (head.empty() || head[0].starts_with("#")) {
      ++c.next;
      continue;
    }
    record r = read_record(c);
    ++outcome.records;
    if (!r.is_query() && r.head[0] != "statement") {
      outcome.failures.push_back({r.line, r.header, "unknown record type"});
      continue;
    }
    std::string problem = check(r, session.execute(r.sql));
    if (!problem.empty()) outcome.failures.push_back({r.line, r.sql, problem});
  }
  return outcome;
}

std::vector<std::string> slt_file_names(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".slt") out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_slt_file(const std::string& dir, const std::string& name) {
  std::ifstream in(dir + "/" + name + ".slt");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace sluice::sql
