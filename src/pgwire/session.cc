#include "pgwire/session.h"

#include <utility>

#include "pgwire/types.h"

namespace sluice::pgwire {

struct session::statement {
  std::string sql;
  std::vector<oid> declared;  // the client's parameter OIDs from Parse (0: none)
  std::unique_ptr<prepared_statement> prepared;

  // What Describe reports: the client's declared type where it gave one (so int4 stays int4 and the
  // client's binary encoding matches), else the engine's.
  std::vector<oid> parameter_oids() const {
    const auto& types = prepared->parameter_types();
    std::vector<oid> out;
    for (std::size_t i = 0; i < types.size(); ++i)
      out.push_back(i < declared.size() && declared[i] != 0 ? declared[i] : type_oid(types[i]));
    return out;
  }
};

struct session::portal {
  std::shared_ptr<statement> source;  // keeps the statement alive while the portal is open
  std::vector<parameter> parameters;
  std::vector<std::int16_t> result_formats;
  bool executed = false;
  query_result result;       // valid once executed
  std::size_t next_row = 0;  // the first row not yet sent
  bool suspended = false;    // an Execute stopped at its row limit
};

namespace {

constexpr char idle = 'I';  // no transaction blocks: every statement commits on its own

tl::unexpected<sql::sql_error> violation(std::string message) {
  return sql::sql_fail(protocol_violation, std::move(message));
}

bool valid_formats(const std::vector<std::int16_t>& formats) {
  for (auto f : formats)
    if (f != 0 && f != 1) return false;
  return true;
}

// Postgres reports the rows one Execute sent, not the statement's total, once a portal is resumed.
std::string tag_for(const std::string& tag, bool suspended_before, std::size_t rows_sent) {
  if (suspended_before && tag.starts_with("SELECT ")) return "SELECT " + std::to_string(rows_sent);
  return tag;
}

void write_result(const query_result& r, std::string_view sql, std::vector<std::byte>& out) {
  for (const auto& notice : r.notices) write_notice(out, notice, sql);
  if (r.command_tag.empty()) return write_empty_query_response(out);
  if (r.copy_out) {
    write_copy_response(out, false, r.columns.size());
    for (const std::string& line : *r.copy_out) write_copy_data(out, line);
    write_copy_done(out);
    return write_command_complete(out, r.command_tag);
  }
  if (!r.columns.empty()) write_row_description(out, r.columns, {});
  for (const auto& row : r.rows) write_data_row(out, row, {});
  write_command_complete(out, r.command_tag);
}

}  // namespace

void write_protocol_violation(std::vector<std::byte>& out, const std::string& message) {
  write_error(out, sql::sql_error{protocol_violation, message, -1, {}, {}}, "FATAL");
}

session::session(std::unique_ptr<query_session> engine) : engine_(std::move(engine)) {}

// Portals and statements hold engine objects: drop them before the engine session.
session::~session() {
  portals_.clear();
  statements_.clear();
}

// CopyDone hands a COPY's data to the engine.
bool session::calls_engine(char type) { return type == 'Q' || type == 'P' || type == 'E' || type == 'c'; }

after_message session::handle(char type, bytes_view body, std::vector<std::byte>& out) {
  if (copying_in_) return copy_message(type, body, out);
  if (skipping_until_sync_ && type != 'S' && type != 'X') return after_message::read_more;
  switch (type) {
    case 'Q':
      return simple_query(body, out);
    case 'P':
      return parse(body, out);
    case 'B':
      return bind(body, out);
    case 'D':
      return describe(body, out);
    case 'E':
      return execute(body, out);
    case 'C':
      return close(body, out);
    case 'S':
      return sync(out);
    case 'H':
      return after_message::flush;
    case 'X':
      return after_message::close;
    case 'd':
    case 'c':
    case 'f':
      return after_message::read_more;  // COPY data outside COPY: Postgres ignores it too
    case 'F':
      return fail(
          sql::sql_error{
              sql::sqlstate::feature_not_supported, "function calls are not supported", -1, {}, {}},
          out);
    default:
      write_protocol_violation(out, "invalid frontend message type " + std::to_string(type));
      return after_message::close;
  }
}

after_message session::fail(const sql::sql_error& error, std::vector<std::byte>& out, std::string_view sql) {
  write_error(out, error, "ERROR", sql);
  skipping_until_sync_ = true;
  return after_message::read_more;
}

after_message session::simple_query(bytes_view body, std::vector<std::byte>& out) {
  auto sql = decode_query(body);
  if (!sql) {
    write_error(out, sql.error(), "FATAL");
    return after_message::close;
  }
  statements_.erase("");
  portals_.erase("");
  auto results = engine_->simple_query(*sql);
  if (results.empty()) write_empty_query_response(out);
  for (const auto& r : results) {
    if (!r) {
      write_error(out, r.error(), "ERROR", *sql);
      break;
    }
    if (r->copy_in_columns) {  // the rest of the exchange is COPY's, until CopyDone or CopyFail
      write_copy_response(out, true, *r->copy_in_columns);
      copying_in_ = true;
      copy_data_.clear();
      return after_message::flush;
    }
    write_result(*r, *sql, out);
  }
  write_ready_for_query(out, idle);
  return after_message::flush;
}

// During COPY … FROM STDIN: CopyData is kept, CopyDone runs the COPY, CopyFail abandons it; Flush and
// Sync mean nothing here (as in Postgres), and anything else is a protocol error that ends the COPY.
after_message session::copy_message(char type, bytes_view body, std::vector<std::byte>& out) {
  switch (type) {
    case 'd':
      copy_data_.append(reinterpret_cast<const char*>(body.data()), body.size());
      return after_message::read_more;
    case 'H':
    case 'S':
      return after_message::read_more;
    case 'X':
      copying_in_ = false;
      engine_->copy_in(std::nullopt);
      return after_message::close;
    default:
      break;
  }
  copying_in_ = false;
  std::string data = std::move(copy_data_);
  copy_data_.clear();
  if (type == 'c') {
    auto result = engine_->copy_in(data);
    if (result) {
      write_result(*result, {}, out);
    } else {
      write_error(out, result.error(), "ERROR");
    }
  } else {
    engine_->copy_in(std::nullopt);
    auto message = decode_query(body);  // CopyFail's body is one string, as Query's is
    std::string reason = type == 'f' ? "COPY from stdin failed: " + (message ? *message : std::string())
                                     : "unexpected message type during COPY from stdin";
    write_error(out, sql::sql_error{type == 'f' ? "57014" : protocol_violation, reason, -1, {}, {}}, "ERROR");
  }
  write_ready_for_query(out, idle);
  return after_message::flush;
}

after_message session::parse(bytes_view body, std::vector<std::byte>& out) {
  auto m = decode_parse(body);
  if (!m) {
    write_error(out, m.error(), "FATAL");
    return after_message::close;
  }
  if (!m->statement.empty() && statements_.contains(m->statement))
    return fail({"42P05", "prepared statement \"" + m->statement + "\" already exists", -1, {}, {}}, out);
  std::vector<sql::data_type> types;
  for (auto declared : m->parameter_types) {
    auto type = type_of_oid(declared);
    if (!type)
      return fail({sql::sqlstate::feature_not_supported,
                   "parameters of type oid " + std::to_string(declared) + " are not supported",
                   -1,
                   {},
                   {}},
                  out);
    types.push_back(*type);
  }
  auto prepared = engine_->prepare(m->query, types);
  if (!prepared) return fail(prepared.error(), out, m->query);
  auto s = std::make_shared<statement>(statement{m->query, m->parameter_types, std::move(*prepared)});
  statements_[m->statement] = std::move(s);
  write_parse_complete(out);
  return after_message::read_more;
}

sql::sql_result<std::vector<parameter>> session::bind_parameters(const bind_message& m,
                                                                 const statement& s) const {
  const auto& types = s.prepared->parameter_types();
  if (m.parameters.size() != types.size())
    return violation("bind message supplies " + std::to_string(m.parameters.size()) +
                     " parameters, but prepared statement \"" + m.statement + "\" requires " +
                     std::to_string(types.size()));
  const auto& formats = m.parameter_formats;
  if (formats.size() > 1 && formats.size() != types.size())
    return violation("bind message has " + std::to_string(formats.size()) + " parameter formats but " +
                     std::to_string(types.size()) + " parameters");
  if (!valid_formats(formats)) return violation("unsupported parameter format code");
  std::vector<parameter> out;
  for (std::size_t i = 0; i < types.size(); ++i) {
    const auto& raw = m.parameters[i];
    if (!raw) {
      out.emplace_back(sql::value{});
    } else if (format_of(formats, i) == 0) {
      out.emplace_back(*raw);
    } else {
      oid declared = i < s.declared.size() ? s.declared[i] : 0;
      auto v = decode_binary(as_bytes(std::span(raw->data(), raw->size())), declared, types[i]);
      if (!v) return tl::unexpected(v.error());
      out.emplace_back(std::move(*v));
    }
  }
  return out;
}

after_message session::bind(bytes_view body, std::vector<std::byte>& out) {
  auto m = decode_bind(body);
  if (!m) {
    write_error(out, m.error(), "FATAL");
    return after_message::close;
  }
  auto it = statements_.find(m->statement);
  if (it == statements_.end())
    return fail({"26000", "prepared statement \"" + m->statement + "\" does not exist", -1, {}, {}}, out);
  if (!m->portal.empty() && portals_.contains(m->portal))
    return fail({"42P03", "portal \"" + m->portal + "\" already exists", -1, {}, {}}, out);
  const auto& columns = it->second->prepared->columns();
  if (!valid_formats(m->result_formats) ||
      (m->result_formats.size() > 1 && m->result_formats.size() != columns.size()))
    return fail({protocol_violation, "bind message has an invalid list of result formats", -1, {}, {}}, out);
  auto parameters = bind_parameters(*m, *it->second);
  if (!parameters) return fail(parameters.error(), out);
  auto p = std::make_unique<portal>();
  p->source = it->second;
  p->parameters = std::move(*parameters);
  p->result_formats = std::move(m->result_formats);
  portals_[m->portal] = std::move(p);
  write_bind_complete(out);
  return after_message::read_more;
}

after_message session::describe(bytes_view body, std::vector<std::byte>& out) {
  auto m = decode_describe(body);
  if (!m) {
    write_error(out, m.error(), "FATAL");
    return after_message::close;
  }
  if (m->kind == 'S') {
    auto it = statements_.find(m->name);
    if (it == statements_.end())
      return fail({"26000", "prepared statement \"" + m->name + "\" does not exist", -1, {}, {}}, out);
    write_parameter_description(out, it->second->parameter_oids());
    const auto& columns = it->second->prepared->columns();
    columns.empty() ? write_no_data(out) : write_row_description(out, columns, {});
    return after_message::read_more;
  }
  auto it = portals_.find(m->name);
  if (it == portals_.end())
    return fail({"34000", "portal \"" + m->name + "\" does not exist", -1, {}, {}}, out);
  const auto& columns = it->second->source->prepared->columns();
  columns.empty() ? write_no_data(out) : write_row_description(out, columns, it->second->result_formats);
  return after_message::read_more;
}

void session::send_rows(portal& p, std::int32_t max_rows, std::vector<std::byte>& out) {
  const auto& rows = p.result.rows;
  std::size_t left = rows.size() - p.next_row;
  std::size_t n = max_rows > 0 ? std::min(left, static_cast<std::size_t>(max_rows)) : left;
  for (std::size_t i = 0; i < n; ++i) write_data_row(out, rows[p.next_row + i], p.result_formats);
  p.next_row += n;
  if (p.next_row < rows.size()) {
    p.suspended = true;
    return write_portal_suspended(out);
  }
  write_command_complete(out, tag_for(p.result.command_tag, p.suspended, n));
}

after_message session::execute(bytes_view body, std::vector<std::byte>& out) {
  auto m = decode_execute(body);
  if (!m) {
    write_error(out, m.error(), "FATAL");
    return after_message::close;
  }
  auto it = portals_.find(m->portal);
  if (it == portals_.end())
    return fail({"34000", "portal \"" + m->portal + "\" does not exist", -1, {}, {}}, out);
  auto& p = *it->second;
  if (!p.executed) {
    auto r = p.source->prepared->execute(p.parameters);
    if (!r) return fail(r.error(), out, p.source->sql);
    p.result = std::move(*r);
    p.executed = true;
    for (const auto& notice : p.result.notices) write_notice(out, notice, p.source->sql);
  }
  if (p.result.command_tag.empty()) {
    write_empty_query_response(out);
    return after_message::read_more;
  }
  send_rows(p, m->max_rows, out);
  return after_message::read_more;
}

after_message session::close(bytes_view body, std::vector<std::byte>& out) {
  auto m = decode_describe(body);
  if (!m) {
    write_error(out, m.error(), "FATAL");
    return after_message::close;
  }
  // Closing something that does not exist is not an error.
  if (m->kind == 'S')
    statements_.erase(m->name);
  else
    portals_.erase(m->name);
  write_close_complete(out);
  return after_message::read_more;
}

after_message session::sync(std::vector<std::byte>& out) {
  skipping_until_sync_ = false;
  portals_.clear();
  write_ready_for_query(out, idle);
  return after_message::flush;
}

}  // namespace sluice::pgwire
