#include "stream/view.h"

#include "stream/codec.h"
#include "stream/operator.h"

namespace sluice::stream {

void view_sink::apply(sql::change_batch& batch) {
  consolidate(batch);
  if (batch.empty()) return;
  {
    std::lock_guard lock(mu_);
    for (const sql::change& c : batch) {
      auto [it, created] = rows_.try_emplace(c.values, 0);
      it->second += c.weight;
      std::int64_t now = it->second;
      if (now == 0) rows_.erase(it);
      std::string key = prefix_;
      append_row(key, c.values);
      pending_[std::move(key)] = now;
    }
  }
  // A subscriber that answers false is done (its client left): drop it.
  std::erase_if(subscribers_, [&batch](const subscriber& fn) { return !fn(batch); });
}

void view_sink::flush(write_batch& batch) {
  for (auto& [k, n] : pending_) {
    if (n == 0) {
      batch.erase(k);
    } else {
      std::string v;
      append_i64(v, n);
      batch.put(k, std::move(v));
    }
  }
  pending_.clear();
}

result<void> view_sink::restore(state_store& store) {
  std::lock_guard lock(mu_);
  rows_.clear();
  bool corrupt = false;
  SLUICE_RETURN_IF_ERROR(store.scan_prefix(prefix_, [&](std::string_view k, std::string_view v) {
    auto r = decode_row(k.substr(prefix_.size()));
    decoder d(v);
    std::int64_t n = 0;
    if (!r || !d.read_i64(n)) {
      corrupt = true;
      return false;
    }
    rows_.emplace(std::move(*r), n);
    return true;
  }));
  if (corrupt) return fail(errc::corruption, "view state does not decode");
  return {};
}

std::vector<sql::row> view_sink::snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<sql::row> out;
  out.reserve(rows_.size());
  for (const auto& [r, n] : rows_) {
    for (std::int64_t i = 0; i < n; ++i) out.push_back(r);
  }
  return out;
}

std::vector<sql::row> view_sink::subscribe(subscriber fn) {
  std::vector<sql::row> rows = snapshot();
  subscribers_.push_back(std::move(fn));
  return rows;
}

std::size_t view_sink::size() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [r, count] : rows_) n += static_cast<std::size_t>(count > 0 ? count : 0);
  return n;
}

std::size_t view_sink::negative_rows() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [r, count] : rows_) n += count < 0 ? 1 : 0;
  return n;
}

}  // namespace sluice::stream
