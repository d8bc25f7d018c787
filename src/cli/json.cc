#include "cli/json.h"

#include <charconv>

#include "base/json_string.h"

namespace sluice::cli {
namespace {

constexpr int max_depth = 64;

class parser {
 public:
  explicit parser(std::string_view text) : text_(text) {}

  result<json_value> document() {
    SLUICE_ASSIGN_OR_RETURN(auto value, parse_value(0));
    skip_space();
    if (pos_ != text_.size()) return error_here("unexpected text after the value");
    return value;
  }

 private:
  tl::unexpected<error> error_here(const std::string& what) const {
    return fail(errc::invalid_argument, "invalid JSON at byte " + std::to_string(pos_) + ": " + what);
  }

  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  bool consume(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  result<json_value> parse_value(int depth) {
    if (depth > max_depth) return error_here("nested too deeply");
    skip_space();
    if (pos_ >= text_.size()) return error_here("expected a value");
    json_value v;
    char c = text_[pos_];
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') {
      v.type = json_value::kind::string;
      SLUICE_ASSIGN_OR_RETURN(v.text, parse_string());
    } else if (consume("null")) {
      v.type = json_value::kind::null;
    } else if (consume("true")) {
      v.type = json_value::kind::boolean;
      v.boolean = true;
    } else if (consume("false")) {
      v.type = json_value::kind::boolean;
    } else {
      v.type = json_value::kind::number;
      SLUICE_ASSIGN_OR_RETURN(v.text, parse_number());
    }
    return v;
  }

  result<json_value> parse_object(int depth) {
    json_value v;
    v.type = json_value::kind::object;
    ++pos_;  // {
    skip_space();
    if (consume("}")) return v;
    while (true) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') return error_here("expected a member name");
      SLUICE_ASSIGN_OR_RETURN(auto name, parse_string());
      skip_space();
      if (!consume(":")) return error_here("expected ':'");
      SLUICE_ASSIGN_OR_RETURN(auto member, parse_value(depth + 1));
      v.members.emplace_back(std::move(name), std::move(member));
      skip_space();
      if (consume("}")) return v;
      if (!consume(",")) return error_here("expected ',' or '}'");
    }
  }

  result<json_value> parse_array(int depth) {
    json_value v;
    v.type = json_value::kind::array;
    ++pos_;  // [
    skip_space();
    if (consume("]")) return v;
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(auto item, parse_value(depth + 1));
      v.items.push_back(std::move(item));
      skip_space();
      if (consume("]")) return v;
      if (!consume(",")) return error_here("expected ',' or ']'");
    }
  }

  result<std::string> parse_number() {
    auto start = pos_;
    auto digits = [&] {
      auto from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    consume("-");
    auto int_start = pos_;
    auto n = digits();
    if (n == 0) return error_here("expected a value");
    if (n > 1 && text_[int_start] == '0') return error_here("leading zero in a number");
    if (consume(".") && digits() == 0) return error_here("expected digits after '.'");
    if (consume("e") || consume("E")) {
      if (!consume("+")) consume("-");
      if (digits() == 0) return error_here("expected exponent digits");
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  result<unsigned> parse_hex4() {
    if (pos_ + 4 > text_.size()) return error_here("truncated \\u escape");
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, value, 16);
    if (ec != std::errc() || end != text_.data() + pos_ + 4) return error_here("bad \\u escape");
    pos_ += 4;
    return value;
  }

  result<unsigned> parse_escaped_code_point() {
    SLUICE_ASSIGN_OR_RETURN(auto high, parse_hex4());
    if (high >= 0xDC00 && high <= 0xDFFF) return error_here("lone low surrogate");
    if (high < 0xD800 || high > 0xDBFF) return high;
    if (!consume("\\u")) return error_here("high surrogate without its low half");
    SLUICE_ASSIGN_OR_RETURN(auto low, parse_hex4());
    if (low < 0xDC00 || low > 0xDFFF) return error_here("high surrogate without its low half");
    return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
  }

  static void append_utf8(std::string& out, unsigned cp) {
    auto byte = [&out](unsigned b) { out.push_back(static_cast<char>(b)); };
    if (cp < 0x80) {
      byte(cp);
    } else if (cp < 0x800) {
      byte(0xC0 | (cp >> 6));
      byte(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      byte(0xE0 | (cp >> 12));
      byte(0x80 | ((cp >> 6) & 0x3F));
      byte(0x80 | (cp & 0x3F));
    } else {
      byte(0xF0 | (cp >> 18));
      byte(0x80 | ((cp >> 12) & 0x3F));
      byte(0x80 | ((cp >> 6) & 0x3F));
      byte(0x80 | (cp & 0x3F));
    }
  }

  result<std::string> parse_string() {
    ++pos_;  // "
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) return error_here("unterminated string");
      char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) return error_here("control character in a string");
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return error_here("unterminated string");
      char e = text_[pos_++];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          SLUICE_ASSIGN_OR_RETURN(auto cp, parse_escaped_code_point());
          append_utf8(out, cp);
          break;
        }
        default:
          --pos_;
          return error_here("bad escape");
      }
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// The length of the valid UTF-8 sequence at the start of `s`, or 0.

}  // namespace

result<std::int64_t> json_value::as_int64() const {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (type != kind::number || ec != std::errc() || end != text.data() + text.size())
    return fail(errc::invalid_argument,
                "expected an integer, got " + (type == kind::number ? text : "a non-number"));
  return value;
}

result<json_value> parse_json(std::string_view text) { return parser(text).document(); }

}  // namespace sluice::cli
