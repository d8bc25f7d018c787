// Feeds arbitrary bytes to every decoder a client or a disk can reach in the
// model component: batch framing and CRC checks, record iteration, and the
// four decompressors. Any crash, sanitizer report or hang is a bug.
#include <cstddef>
#include <cstdint>

#include "model/compression.h"
#include "model/record_batch.h"

using namespace sluice;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bytes_view input(reinterpret_cast<const std::byte*>(data), size);
  (void)model::split_batches(input);
  if (auto header = model::decode_header(input); header && input.size() >= model::batch_header_size) {
    auto records = input.subspan(model::batch_header_size);
    (void)model::for_each_record(*header, records, [](const model::record_view&) { return true; });
    (void)model::decompress(header->codec(), records, 1u << 20);
  }
  return 0;
}
