#include "pgwire/startup.h"

#include <string_view>

namespace sluice::pgwire {
namespace {

std::string startup_value(const startup_message& m, std::string_view name) {
  for (const auto& [key, value] : m.parameters)
    if (key == name) return value;
  return {};
}

std::string version_text(std::int32_t protocol) {
  return std::to_string(protocol >> 16) + "." + std::to_string(protocol & 0xFFFF);
}

}  // namespace

std::optional<sql::sql_error> check_startup(const startup_message& m) {
  if ((m.protocol >> 16) != 3)
    return sql::sql_error{
        sql::sqlstate::feature_not_supported,
        "unsupported frontend protocol " + version_text(m.protocol) + ": server supports 3.0 to 3.0",
        -1,
        {},
        {}};
  if (startup_value(m, "user").empty())
    return sql::sql_error{"28000", "no PostgreSQL user name specified in startup packet", -1, {}, {}};
  return std::nullopt;
}

void write_greeting(std::vector<std::byte>& out, const startup_message& m, std::int32_t process_id,
                    std::int32_t secret_key) {
  if ((m.protocol & 0xFFFF) != 0 || !m.protocol_options.empty())
    write_negotiate_protocol_version(out, 0, m.protocol_options);
  write_authentication_ok(out);
  write_parameter_status(out, "application_name", startup_value(m, "application_name"));
  write_parameter_status(out, "client_encoding", "UTF8");
  write_parameter_status(out, "DateStyle", "ISO, MDY");
  write_parameter_status(out, "integer_datetimes", "on");
  write_parameter_status(out, "IntervalStyle", "postgres");
  write_parameter_status(out, "is_superuser", "off");
  write_parameter_status(out, "server_encoding", "UTF8");
  write_parameter_status(out, "server_version", server_version);
  write_parameter_status(out, "session_authorization", startup_value(m, "user"));
  write_parameter_status(out, "standard_conforming_strings", "on");
  write_parameter_status(out, "TimeZone", "UTC");
  write_backend_key_data(out, process_id, secret_key);
}

}  // namespace sluice::pgwire
