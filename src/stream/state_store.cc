// stream/state_store.cc — what every state_store shares: prefix scans and erases, key prefixes, and
// the write_batch encoding.
#include "stream/state_store.h"

#include <algorithm>
#include <cstring>

namespace sluice::stream {
namespace {

void append_length(std::string& out, std::size_t n) {
  auto n32 = static_cast<std::uint32_t>(n);
  out.append(reinterpret_cast<const char*>(&n32), sizeof n32);
}

std::string_view take(std::string_view& rest, std::size_t n) {
  std::string_view out = rest.substr(0, n);
  rest.remove_prefix(n);
  return out;
}

std::size_t take_length(std::string_view& rest) {
  std::uint32_t n = 0;
  std::memcpy(&n, rest.data(), sizeof n);
  rest.remove_prefix(sizeof n);
  return n;
}

}  // namespace

void write_batch::put(std::string_view key, std::string_view value) {
  buf_.push_back(1);
  append_length(buf_, key.size());
  buf_.append(key);
  append_length(buf_, value.size());
  buf_.append(value);
  ++count_;
}

void write_batch::erase(std::string_view key) {
  buf_.push_back(0);
  append_length(buf_, key.size());
  buf_.append(key);
  ++count_;
}

write_batch::op write_batch::next_op(std::string_view& rest) {
  bool is_put = take(rest, 1)[0] != 0;
  op o;
  o.key = take(rest, take_length(rest));
  if (is_put) o.value = take(rest, take_length(rest));
  return o;
}

result<void> write_batch::write_appends() const {
  std::vector<state_log*> appended;
  for (const log_append& a : appends_) {
    SLUICE_RETURN_IF_ERROR(a.log->append(a.bytes));
    appended.push_back(a.log);
  }
  std::sort(appended.begin(), appended.end());
  appended.erase(std::unique(appended.begin(), appended.end()), appended.end());
  for (state_log* log : appended) SLUICE_RETURN_IF_ERROR(log->sync());
  return {};
}

std::vector<write_batch::op> write_batch::ops() const {
  std::vector<op> out;
  out.reserve(count_);
  for_each([&](const op& o) { out.push_back(o); });
  return out;
}

result<void> state_store::scan_prefix(std::string_view prefix, const scan_fn& fn) {
  return scan(prefix, prefix_end(prefix), fn);
}

result<void> state_store::erase_prefix(std::string_view prefix) {
  write_batch batch;
  SLUICE_RETURN_IF_ERROR(scan_prefix(prefix, [&](std::string_view key, std::string_view) {
    batch.erase(std::string(key));
    return true;
  }));
  return batch.empty() ? result<void>{} : write(batch);
}

std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

std::string state_prefix(int operator_id) {
  std::string p;
  p.push_back(static_cast<char>((operator_id >> 8) & 0xff));
  p.push_back(static_cast<char>(operator_id & 0xff));
  return p;
}

}  // namespace sluice::stream
