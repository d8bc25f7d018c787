#include "storage/record_reader.h"

#include <vector>

#include "model/compression.h"

namespace sluice::storage {

result<std::int64_t> read_records(const partition_log& log, std::int64_t offset, std::size_t max_bytes,
                                  const std::function<bool(const model::record_view&)>& visit) {
  if (offset == log.end_offset() && offset >= log.log_start_offset()) return offset;
  auto read = log.read(offset, max_bytes);
  if (!read) return tl::unexpected(read.error());
  // partition_log::read checked every batch (CRC included) as it read it.
  auto batches = model::split_batches(read->batches, model::batch_check::framing);
  if (!batches) return tl::unexpected(batches.error());
  std::int64_t next = offset;
  std::vector<std::byte> decompressed;
  for (auto batch : *batches) {
    auto header = model::decode_header(batch);
    if (!header) return tl::unexpected(header.error());
    if (header->next_offset() <= next) continue;
    if (header->is_control()) {
      next = header->next_offset();
      continue;
    }
    bytes_view payload = batch.subspan(model::batch_header_size);
    if (header->codec() != model::compression::none) {
      auto d = model::decompress(header->codec(), payload);
      if (!d) return tl::unexpected(d.error());
      decompressed = std::move(*d);
      payload = decompressed;
    }
    bool stopped = false;
    std::int64_t from = next;
    auto walked = model::for_each_record(*header, payload, [&](const model::record_view& rec) {
      if (rec.offset < from) return true;
      next = rec.offset + 1;
      if (visit(rec)) return true;
      stopped = true;
      return false;
    });
    if (!walked) return tl::unexpected(walked.error());
    if (stopped) return next;
    next = header->next_offset();
  }
  return next;
}

}  // namespace sluice::storage
