// base/crc32c.h — CRC-32C (Castagnoli), the checksum of Kafka record batches
// and of every Sluice on-disk format. Uses the SSE4.2 crc32 instruction when
// the CPU has it (three interleaved streams on long inputs), a slicing-by-8
// table otherwise; both give identical results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sluice::crc32c {

// Extends `crc` (the value returned for the bytes before `data`) over `data`.
std::uint32_t extend(std::uint32_t crc, std::span<const std::byte> data);

inline std::uint32_t value(std::span<const std::byte> data) { return extend(0, data); }

// The portable implementation, exposed so tests can compare both paths.
std::uint32_t extend_portable(std::uint32_t crc, std::span<const std::byte> data);

// True when extend() uses the hardware instruction.
bool hardware_accelerated();

}  // namespace sluice::crc32c
