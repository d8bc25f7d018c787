#include "base/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace sluice::crc32c {
namespace {

constexpr std::uint32_t reversed_polynomial = 0x82F63B78u;

using table_set = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr table_set make_tables() {
  table_set t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ reversed_polynomial : c >> 1;
    t[0][i] = c;
  }
  for (std::size_t i = 0; i < 256; ++i)
    for (std::size_t k = 1; k < 8; ++k) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
  return t;
}

constexpr table_set tables = make_tables();

std::uint32_t extend_table(std::uint32_t crc, const unsigned char* p, std::size_t n) {
  while (n >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);  // little-endian host assumed by the slicing layout
    word ^= crc;
    crc = tables[7][word & 0xFF] ^ tables[6][(word >> 8) & 0xFF] ^ tables[5][(word >> 16) & 0xFF] ^
          tables[4][(word >> 24) & 0xFF] ^ tables[3][(word >> 32) & 0xFF] ^ tables[2][(word >> 40) & 0xFF] ^
          tables[1][(word >> 48) & 0xFF] ^ tables[0][word >> 56];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = tables[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
// The crc32 instruction has a latency of three cycles but issues one per cycle, so one dependency
// chain runs at a third of its speed. Long inputs are cut into rounds of three stripes whose CRCs
// are computed side by side and then joined: the CRC register is linear, so
// crc(A ‖ B) = shift(crc(A), |B|) ⊕ crc₀(B), with shift a table lookup for the fixed stripe size.
constexpr std::size_t stripe_bytes = 1024;

using shift_table = std::array<std::array<std::uint32_t, 256>, 4>;

// shift(r) = the register after `bytes` zero bytes starting from r; linear in r, so a table per
// byte of r built from where each of its 32 bits goes.
__attribute__((target("sse4.2"))) shift_table make_shift_table(std::size_t bytes) {
  std::array<std::uint32_t, 32> bit_image{};
  for (int bit = 0; bit < 32; ++bit) {
    std::uint64_t c = std::uint64_t{1} << bit;
    for (std::size_t i = 0; i < bytes; i += 8) c = _mm_crc32_u64(c, 0);
    bit_image[static_cast<std::size_t>(bit)] = static_cast<std::uint32_t>(c);
  }
  shift_table t{};
  for (std::size_t byte = 0; byte < 4; ++byte)
    for (std::uint32_t v = 0; v < 256; ++v)
      for (std::size_t bit = 0; bit < 8; ++bit)
        if (v & (1u << bit)) t[byte][v] ^= bit_image[byte * 8 + bit];
  return t;
}

std::uint32_t shift(const shift_table& t, std::uint32_t c) {
  return t[0][c & 0xFF] ^ t[1][(c >> 8) & 0xFF] ^ t[2][(c >> 16) & 0xFF] ^ t[3][c >> 24];
}

__attribute__((target("sse4.2"))) inline std::uint64_t crc_word(std::uint64_t c, const unsigned char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return _mm_crc32_u64(c, w);
}

__attribute__((target("sse4.2"))) std::uint32_t extend_sse42(std::uint32_t crc, const unsigned char* p,
                                                             std::size_t n) {
  static const shift_table stripe_shift = make_shift_table(stripe_bytes);
  std::uint64_t c = crc;
  while (n > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7) != 0) {
    c = _mm_crc32_u8(static_cast<std::uint32_t>(c), *p++);
    --n;
  }
  while (n >= 3 * stripe_bytes) {
    std::uint64_t c0 = c, c1 = 0, c2 = 0;
    for (std::size_t i = 0; i < stripe_bytes; i += 8) {
      c0 = crc_word(c0, p + i);
      c1 = crc_word(c1, p + stripe_bytes + i);
      c2 = crc_word(c2, p + 2 * stripe_bytes + i);
    }
    c = shift(stripe_shift, static_cast<std::uint32_t>(c0)) ^ c1;
    c = shift(stripe_shift, static_cast<std::uint32_t>(c)) ^ c2;
    p += 3 * stripe_bytes;
    n -= 3 * stripe_bytes;
  }
  while (n >= 8) {
    c = crc_word(c, p);
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = _mm_crc32_u8(static_cast<std::uint32_t>(c), *p++);
  return static_cast<std::uint32_t>(c);
}

const bool has_sse42 = __builtin_cpu_supports("sse4.2");
#else
const bool has_sse42 = false;
#endif

}  // namespace

std::uint32_t extend_portable(std::uint32_t crc, std::span<const std::byte> data) {
  auto* p = reinterpret_cast<const unsigned char*>(data.data());
  return ~extend_table(~crc, p, data.size());
}

std::uint32_t extend(std::uint32_t crc, std::span<const std::byte> data) {
#if defined(__x86_64__)
  if (has_sse42) {
    auto* p = reinterpret_cast<const unsigned char*>(data.data());
    return ~extend_sse42(~crc, p, data.size());
  }
#endif
  return extend_portable(crc, data);
}

bool hardware_accelerated() { return has_sse42; }

}  // namespace sluice::crc32c
