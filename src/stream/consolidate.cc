#include <unordered_map>

#include "stream/operator.h"

namespace sluice::stream {

void consolidate(sql::change_batch& batch) {
  if (batch.size() < 2) {
    if (batch.size() == 1 && batch[0].weight == 0) batch.clear();
    return;
  }
  // Index of each distinct row's first occurrence; later duplicates fold their weight into it.
  std::unordered_map<
      const sql::row*, std::size_t, decltype([](const sql::row* r) { return sql::hash_row(*r); }),
      decltype([](const sql::row* a, const sql::row* b) { return sql::compare_rows(*a, *b) == 0; })>
      first;
  first.reserve(batch.size());
  std::vector<bool> folded(batch.size(), false);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto [it, inserted] = first.try_emplace(&batch[i].values, i);
    if (!inserted) {
      batch[it->second].weight += batch[i].weight;
      folded[i] = true;
    }
  }
  std::size_t out = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (folded[i] || batch[i].weight == 0) continue;
    if (out != i) batch[out] = std::move(batch[i]);
    ++out;
  }
  batch.resize(out);
}

void write_row_state(write_batch& batch, const std::string& prefix, const sql::row& r,
                     const std::string* value) {
  std::string key = prefix;
  append_row(key, r);
  if (value) {
    batch.put(std::move(key), *value);
  } else {
    batch.erase(std::move(key));
  }
}

}  // namespace sluice::stream
