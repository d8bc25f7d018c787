// model/compression.h — the record-batch compression codecs (attributes bits 0-2): decoding exactly what
// Kafka producers put on the wire (Java client and librdkafka alike) and encoding what every consumer reads.
// Decoding is bounded by the caller's max_output, so a small hostile payload cannot claim large memory.
#pragma once

#include <cstddef>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "model/record_batch.h"

namespace sluice::model {

inline constexpr std::size_t default_max_decompressed = std::size_t{256} << 20;

// Decodes the records section of a batch compressed with `codec`:
//   gzip    one or more gzip members
//   snappy  raw snappy (librdkafka) or xerial framing (Java client)
//   lz4     one or more LZ4 frames
//   zstd    one or more zstd frames, content size recorded or not
// Fails with invalid_record when the payload is not a complete, valid stream of the codec, or when it
// would decode to more than max_output bytes; the latter is detected while decoding, so memory grows
// only with the bytes actually produced, never beyond max_output + 1.
result<std::vector<std::byte>> decompress(compression codec, bytes_view payload,
                                          std::size_t max_output = default_max_decompressed);

// Encodes `payload` for a batch whose attributes say `codec`: gzip, xerial-framed snappy, an LZ4 frame
// of independent blocks, or a zstd frame at level 3 — each the form Kafka's Java consumer requires.
// Fails with invalid_argument for a codec outside the enum or a payload larger than a batch can be.
result<std::vector<std::byte>> compress(compression codec, bytes_view payload);

// Kafka's name for the codec ("none", "gzip", "snappy", "lz4", "zstd"); "unknown" for other values.
const char* compression_name(compression codec);

}  // namespace sluice::model
