#include "pgwire/messages.h"

#include "pgwire/types.h"

namespace sluice::pgwire {
namespace {

// Reads a message body front to back. The first read past the end (or a string without its
// terminating NUL) marks the reader failed; later reads return zeros, so decoders read every field
// and check once at the end.
class reader {
 public:
  explicit reader(bytes_view body) : body_(body) {}

  template <typename Int>
  Int integer() {
    if (!take(sizeof(Int))) return 0;
    return load_be<Int>(body_.data() + pos_ - sizeof(Int));
  }

  std::string cstring() {
    if (failed_) return {};
    for (auto i = pos_; i < body_.size(); ++i) {
      if (body_[i] == std::byte{0}) {
        std::string s(reinterpret_cast<const char*>(body_.data() + pos_), i - pos_);
        pos_ = i + 1;
        return s;
      }
    }
    failed_ = true;
    return {};
  }

  std::string bytes(std::size_t n) {
    if (!take(n)) return {};
    return std::string(reinterpret_cast<const char*>(body_.data() + pos_ - n), n);
  }

  // A count read from the wire, bounded by what is left so a huge count cannot allocate much.
  std::size_t count(std::int16_t n, std::size_t bytes_each) {
    if (n < 0 || static_cast<std::size_t>(n) * bytes_each > remaining()) failed_ = true;
    return failed_ ? 0 : static_cast<std::size_t>(n);
  }

  std::size_t remaining() const { return body_.size() - pos_; }
  bool ok() const { return !failed_; }
  bool ok_and_done() const { return !failed_ && pos_ == body_.size(); }

 private:
  bool take(std::size_t n) {
    if (failed_ || n > remaining()) {
      failed_ = true;
      return false;
    }
    pos_ += n;
    return true;
  }

  bytes_view body_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

tl::unexpected<sql::sql_error> malformed(const char* message) {
  return sql::sql_fail(protocol_violation, std::string("invalid message format: ") + message);
}

// Appends one backend message: the type byte and a length that end() patches in.
class writer {
 public:
  writer(std::vector<std::byte>& out, char type) : out_(out), start_(out.size() + 1) {
    out_.push_back(static_cast<std::byte>(type));
    integer<std::int32_t>(0);
  }
  ~writer() { store_be<std::int32_t>(out_.data() + start_, static_cast<std::int32_t>(out_.size() - start_)); }
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;

  template <typename Int>
  writer& integer(Int v) {
    auto at = out_.size();
    out_.resize(at + sizeof(Int));
    store_be<Int>(out_.data() + at, v);
    return *this;
  }
  writer& raw(std::string_view s) {
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    out_.insert(out_.end(), p, p + s.size());
    return *this;
  }
  writer& cstring(std::string_view s) {
    raw(s);
    out_.push_back(std::byte{0});
    return *this;
  }
  std::vector<std::byte>& out() { return out_; }

 private:
  std::vector<std::byte>& out_;
  std::size_t start_;  // where the length goes
};

void empty_message(std::vector<std::byte>& out, char type) { writer w(out, type); }

// 1-based count of UTF-8 characters up to byte `offset`, as Postgres reports positions.
int character_position(std::string_view text, int offset) {
  auto end = std::min(static_cast<std::size_t>(offset), text.size());
  int chars = 1;
  for (std::size_t i = 0; i < end; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++chars;
  return chars;
}

void error_fields(writer& w, const sql::sql_error& e, std::string_view severity, int position) {
  w.integer<std::uint8_t>('S').cstring(severity);
  w.integer<std::uint8_t>('V').cstring(severity);
  w.integer<std::uint8_t>('C').cstring(e.code);
  w.integer<std::uint8_t>('M').cstring(e.message);
  if (!e.detail.empty()) w.integer<std::uint8_t>('D').cstring(e.detail);
  if (!e.hint.empty()) w.integer<std::uint8_t>('H').cstring(e.hint);
  if (position > 0) w.integer<std::uint8_t>('P').cstring(std::to_string(position));
  w.integer<std::uint8_t>(0);
}

}  // namespace

sql::sql_result<startup_packet> decode_startup(bytes_view body) {
  reader r(body);
  auto code = r.integer<std::int32_t>();
  if (!r.ok()) return malformed("startup packet too short");
  if (code == ssl_request_code) return ssl_request{};
  if (code == gssenc_request_code) return gssenc_request{};
  if (code == cancel_request_code) {
    cancel_request cancel{r.integer<std::int32_t>(), r.integer<std::int32_t>()};
    if (!r.ok_and_done()) return malformed("bad cancel request");
    return cancel;
  }
  startup_message m{.protocol = code, .parameters = {}, .protocol_options = {}};
  // Name/value pairs, ended by an empty name. A protocol other than 3 may be laid out differently:
  // the caller rejects it by its number, so do not insist on the layout.
  if ((code >> 16) != 3) return m;
  for (;;) {
    auto name = r.cstring();
    if (!r.ok()) return malformed("startup packet has no terminator");
    if (name.empty()) break;
    auto value = r.cstring();
    if (!r.ok()) return malformed("startup parameter without a value");
    if (name.starts_with("_pq_."))
      m.protocol_options.push_back(std::move(name));
    else
      m.parameters.emplace_back(std::move(name), std::move(value));
  }
  if (!r.ok_and_done()) return malformed("bytes after the startup packet's terminator");
  return m;
}

sql::sql_result<std::string> decode_query(bytes_view body) {
  reader r(body);
  auto query = r.cstring();
  if (!r.ok_and_done()) return malformed("Query");
  return query;
}

sql::sql_result<parse_message> decode_parse(bytes_view body) {
  reader r(body);
  parse_message m;
  m.statement = r.cstring();
  m.query = r.cstring();
  auto n = r.count(r.integer<std::int16_t>(), 4);
  for (std::size_t i = 0; i < n; ++i) m.parameter_types.push_back(r.integer<oid>());
  if (!r.ok_and_done()) return malformed("Parse");
  return m;
}

sql::sql_result<bind_message> decode_bind(bytes_view body) {
  reader r(body);
  bind_message m;
  m.portal = r.cstring();
  m.statement = r.cstring();
  auto formats = r.count(r.integer<std::int16_t>(), 2);
  for (std::size_t i = 0; i < formats; ++i) m.parameter_formats.push_back(r.integer<std::int16_t>());
  auto params = r.count(r.integer<std::int16_t>(), 4);
  for (std::size_t i = 0; i < params && r.ok(); ++i) {
    auto length = r.integer<std::int32_t>();
    if (length == -1) {
      m.parameters.emplace_back(std::nullopt);
    } else if (length < 0 || static_cast<std::size_t>(length) > r.remaining()) {
      return malformed("Bind parameter length");
    } else {
      m.parameters.emplace_back(r.bytes(static_cast<std::size_t>(length)));
    }
  }
  auto results = r.count(r.integer<std::int16_t>(), 2);
  for (std::size_t i = 0; i < results; ++i) m.result_formats.push_back(r.integer<std::int16_t>());
  if (!r.ok_and_done()) return malformed("Bind");
  return m;
}

sql::sql_result<describe_message> decode_describe(bytes_view body) {
  reader r(body);
  describe_message m;
  m.kind = static_cast<char>(r.integer<std::uint8_t>());
  m.name = r.cstring();
  if (!r.ok_and_done()) return malformed("Describe or Close");
  if (m.kind != 'S' && m.kind != 'P') return malformed("Describe or Close of neither 'S' nor 'P'");
  return m;
}

sql::sql_result<execute_message> decode_execute(bytes_view body) {
  reader r(body);
  execute_message m;
  m.portal = r.cstring();
  m.max_rows = r.integer<std::int32_t>();
  if (!r.ok_and_done()) return malformed("Execute");
  return m;
}

void write_authentication_ok(std::vector<std::byte>& out) { writer(out, 'R').integer<std::int32_t>(0); }

void write_parameter_status(std::vector<std::byte>& out, std::string_view name, std::string_view value) {
  writer(out, 'S').cstring(name).cstring(value);
}

void write_backend_key_data(std::vector<std::byte>& out, std::int32_t process_id, std::int32_t secret_key) {
  writer(out, 'K').integer(process_id).integer(secret_key);
}

void write_negotiate_protocol_version(std::vector<std::byte>& out, std::int32_t newest_minor,
                                      const std::vector<std::string>& unsupported_options) {
  writer w(out, 'v');
  w.integer(newest_minor).integer(static_cast<std::int32_t>(unsupported_options.size()));
  for (const auto& name : unsupported_options) w.cstring(name);
}

void write_ready_for_query(std::vector<std::byte>& out, char transaction_status) {
  writer(out, 'Z').integer(static_cast<std::uint8_t>(transaction_status));
}

std::int16_t format_of(const std::vector<std::int16_t>& formats, std::size_t i) {
  if (formats.empty()) return 0;
  return formats.size() == 1 ? formats[0] : formats[i];
}

void write_row_description(std::vector<std::byte>& out, const sql::schema& columns,
                           const std::vector<std::int16_t>& formats) {
  writer w(out, 'T');
  w.integer(static_cast<std::int16_t>(columns.size()));
  for (std::size_t i = 0; i < columns.size(); ++i) {
    w.cstring(columns[i].name);
    w.integer<std::int32_t>(0).integer<std::int16_t>(0);  // not a table column
    w.integer(type_oid(columns[i].type)).integer(type_size(columns[i].type));
    w.integer<std::int32_t>(-1);  // no type modifier
    w.integer(format_of(formats, i));
  }
}

void write_data_row(std::vector<std::byte>& out, const sql::row& row,
                    const std::vector<std::int16_t>& formats) {
  writer w(out, 'D');
  w.integer(static_cast<std::int16_t>(row.size()));
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (row[i].is_null()) {
      w.integer<std::int32_t>(-1);
      continue;
    }
    auto length_at = w.out().size();
    w.integer<std::int32_t>(0);
    if (format_of(formats, i) == 1)
      append_binary(w.out(), row[i]);
    else
      w.raw(row[i].to_text());
    auto length = w.out().size() - length_at - 4;
    store_be<std::int32_t>(w.out().data() + length_at, static_cast<std::int32_t>(length));
  }
}

void write_command_complete(std::vector<std::byte>& out, std::string_view tag) {
  writer(out, 'C').cstring(tag);
}
void write_empty_query_response(std::vector<std::byte>& out) { empty_message(out, 'I'); }
void write_parse_complete(std::vector<std::byte>& out) { empty_message(out, '1'); }
void write_bind_complete(std::vector<std::byte>& out) { empty_message(out, '2'); }
void write_close_complete(std::vector<std::byte>& out) { empty_message(out, '3'); }
void write_no_data(std::vector<std::byte>& out) { empty_message(out, 'n'); }
void write_copy_response(std::vector<std::byte>& out, bool in, std::size_t columns) {
  writer w(out, in ? 'G' : 'H');
  w.integer(std::int8_t{0});  // text
  w.integer(static_cast<std::int16_t>(columns));
  for (std::size_t i = 0; i < columns; ++i) w.integer(std::int16_t{0});
}
void write_copy_data(std::vector<std::byte>& out, std::string_view data) { writer(out, 'd').raw(data); }
void write_copy_done(std::vector<std::byte>& out) { empty_message(out, 'c'); }
void write_portal_suspended(std::vector<std::byte>& out) { empty_message(out, 's'); }

void write_parameter_description(std::vector<std::byte>& out, const std::vector<oid>& types) {
  writer w(out, 't');
  w.integer(static_cast<std::int16_t>(types.size()));
  for (auto t : types) w.integer(t);
}

void write_error(std::vector<std::byte>& out, const sql::sql_error& error, std::string_view severity,
                 std::string_view sql_text) {
  writer w(out, 'E');
  error_fields(w, error, severity, error.position >= 0 ? character_position(sql_text, error.position) : 0);
}

void write_notice(std::vector<std::byte>& out, const sql::sql_error& notice, std::string_view sql_text) {
  writer w(out, 'N');
  error_fields(w, notice, "NOTICE", notice.position >= 0 ? character_position(sql_text, notice.position) : 0);
}

}  // namespace sluice::pgwire
