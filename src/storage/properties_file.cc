#include "storage/properties_file.h"

#include <charconv>
#include <cstdio>

#include "base/crc32c.h"

namespace sluice::storage {
namespace {

bytes_view as_bytes(const std::string& s) { return {reinterpret_cast<const std::byte*>(s.data()), s.size()}; }

std::string crc_line(const std::string& body) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", crc32c::value(as_bytes(body)));
  return std::string("crc32c=") + hex + "\n";
}

}  // namespace

result<void> write_properties(io::file_system& fs, const std::string& path, const std::string& comment,
                              const properties& values) {
  std::string body = "# " + comment + "\n";
  for (const auto& [key, value] : values) {
    if (key.find_first_of("=\n") != std::string::npos || value.find('\n') != std::string::npos)
      return fail(errc::invalid_argument, "property '" + key + "' cannot be stored in " + path);
    body += key + "=" + value + "\n";
  }
  body += crc_line(body);
  return io::write_file_atomically(fs, path, as_bytes(body));
}

result<properties> read_properties(io::file_system& fs, const std::string& path) {
  SLUICE_ASSIGN_OR_RETURN(auto raw, io::read_whole_file(fs, path));
  std::string text(reinterpret_cast<const char*>(raw.data()), raw.size());
  auto crc_at = text.rfind("crc32c=");
  if (crc_at == std::string::npos || (crc_at > 0 && text[crc_at - 1] != '\n') ||
      text.substr(crc_at) != crc_line(text.substr(0, crc_at)))
    return fail(errc::corruption, path + ": checksum missing or wrong");
  properties values;
  std::size_t line_start = 0;
  while (line_start < crc_at) {
    auto line_end = text.find('\n', line_start);
    auto line = text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) return fail(errc::corruption, path + ": malformed line '" + line + "'");
    values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

result<std::int64_t> get_int(const properties& p, const std::string& key) {
  auto it = p.find(key);
  if (it == p.end()) return fail(errc::corruption, "missing property '" + key + "'");
  std::int64_t v = 0;
  const auto& s = it->second;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size())
    return fail(errc::corruption, "property '" + key + "' is not an integer: '" + s + "'");
  return v;
}

}  // namespace sluice::storage
