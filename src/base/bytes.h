// base/bytes.h — fixed-width big-endian loads and stores (network byte
// order, as Kafka and its on-disk formats use), over unaligned memory.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

namespace sluice {

namespace detail {
inline std::uint16_t bswap(std::uint16_t v) { return __builtin_bswap16(v); }
inline std::uint32_t bswap(std::uint32_t v) { return __builtin_bswap32(v); }
inline std::uint64_t bswap(std::uint64_t v) { return __builtin_bswap64(v); }
}  // namespace detail

using bytes_view = std::span<const std::byte>;
using mutable_bytes = std::span<std::byte>;

template <typename T>
inline T load_be(const std::byte* p) {
  static_assert(std::is_integral_v<T>);
  using U = std::make_unsigned_t<T>;
  U v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::little && sizeof(U) > 1) v = detail::bswap(v);
  return static_cast<T>(v);
}

template <typename T>
inline void store_be(std::byte* p, T value) {
  static_assert(std::is_integral_v<T>);
  using U = std::make_unsigned_t<T>;
  auto v = static_cast<U>(value);
  if constexpr (std::endian::native == std::endian::little && sizeof(U) > 1) v = detail::bswap(v);
  std::memcpy(p, &v, sizeof v);
}

}  // namespace sluice
