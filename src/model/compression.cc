#include "model/compression.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "base/assert.h"

// Lets zlib take the input through a pointer to const, as it never writes to it.
#define ZLIB_CONST
#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

namespace sluice::model {
namespace {

// A record batch's length is an int32, so no payload is larger. The bound lets zlib, which counts in
// 32 bits, take any payload in one call.
constexpr std::size_t max_payload = std::numeric_limits<std::int32_t>::max();

// Kafka's defaults for compression.gzip.level and compression.zstd.level.
constexpr int gzip_level = Z_DEFAULT_COMPRESSION;
constexpr int zstd_level = 3;

// Java's SnappyOutputStream writes this header, then [int32 length][raw snappy block] repeatedly.
constexpr std::array<std::uint8_t, 8> xerial_magic = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr std::size_t xerial_header_size = 16;  // magic, int32 version, int32 compatible version
constexpr std::int32_t xerial_version = 1;
constexpr std::size_t xerial_block_size = 32 * 1024;  // SnappyOutputStream's default, which Kafka keeps

// No snappy element yields more than 64 bytes for 3 bytes of input (a copy with a two-byte offset), so a
// block declaring a larger ratio is lying. Refusing it up front keeps the allocation proportional to the
// input, since snappy needs the whole output buffer before it decodes.
constexpr std::size_t snappy_max_ratio = 22;

template <typename T>
const T* as(const std::byte* p) {
  return reinterpret_cast<const T*>(p);
}

template <typename T>
T* as(std::byte* p) {
  return reinterpret_cast<T*>(p);
}

uInt clamp_to_uint(std::size_t n) {
  return static_cast<uInt>(std::min<std::size_t>(n, std::numeric_limits<uInt>::max()));
}

tl::unexpected<error> invalid(const char* codec, const std::string& why) {
  return fail(errc::invalid_record, std::string(codec) + " payload: " + why);
}

tl::unexpected<error> too_large(std::size_t max_output) {
  return fail(errc::invalid_record, "decompressed payload exceeds " + std::to_string(max_output) + " bytes");
}

std::size_t saturating_next(std::size_t n) {
  return n == std::numeric_limits<std::size_t>::max() ? n : n + 1;
}

// Decoders write straight into this buffer and it grows geometrically with what they produce, so a bomb
// is refused after at most max_output + 1 bytes: the extra byte tells "exactly max_output" from "more".
class output_buffer {
 public:
  output_buffer(std::size_t max_output, std::size_t expected)
      : max_(max_output), limit_(saturating_next(max_output)) {
    bytes_.resize(std::min(limit_, expected));
  }

  // Free space after the bytes produced so far; empty only once they have passed max_output.
  mutable_bytes spare() {
    if (size_ == bytes_.size() && size_ < limit_) grow_to(size_ + 1);
    return mutable_bytes(bytes_).subspan(size_);
  }

  void commit(std::size_t n) { size_ += n; }

  // The next n bytes, for decoders that must know the output size before they start.
  result<mutable_bytes> append(std::size_t n) {
    if (n > max_ - size_) return too_large(max_);
    if (size_ + n > bytes_.size()) grow_to(size_ + n);
    auto out = mutable_bytes(bytes_).subspan(size_, n);
    size_ += n;
    return out;
  }

  result<std::vector<std::byte>> finish() && {
    if (size_ > max_) return too_large(max_);
    bytes_.resize(size_);
    return std::move(bytes_);
  }

 private:
  static constexpr std::size_t min_growth = 4096;

  void grow_to(std::size_t needed) {
    bytes_.resize(std::min(limit_, std::max({needed, bytes_.size() * 2, min_growth})));
  }

  std::vector<std::byte> bytes_;
  std::size_t size_ = 0;
  std::size_t max_;
  std::size_t limit_;
};

struct inflate_end {
  void operator()(z_stream* zs) const { inflateEnd(zs); }
};

struct deflate_end {
  void operator()(z_stream* zs) const { deflateEnd(zs); }
};

struct lz4_dctx_free {
  void operator()(LZ4F_dctx* ctx) const { LZ4F_freeDecompressionContext(ctx); }
};

struct zstd_dctx_free {
  void operator()(ZSTD_DCtx* ctx) const { ZSTD_freeDCtx(ctx); }
};

result<std::vector<std::byte>> gzip_decompress(bytes_view in, std::size_t max_output) {
  z_stream zs{};
  // 16 + MAX_WBITS accepts the gzip wrapper only: Kafka's gzip codec is never bare deflate or zlib.
  const int init = inflateInit2(&zs, 16 + MAX_WBITS);
  SLUICE_ASSERT(init == Z_OK, "zlib: cannot set up an inflater");
  std::unique_ptr<z_stream, inflate_end> guard(&zs);
  zs.next_in = as<Bytef>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  output_buffer out(max_output, in.size() * 4);
  for (;;) {
    auto space = out.spare();
    if (space.empty()) return too_large(max_output);
    zs.next_out = as<Bytef>(space.data());
    zs.avail_out = clamp_to_uint(space.size());
    const uInt offered = zs.avail_out;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    out.commit(offered - zs.avail_out);
    if (rc == Z_STREAM_END && zs.avail_in == 0) return std::move(out).finish();
    // Concatenated members (gzip's own multi-member form) decode as one stream, as GZIPInputStream does.
    if (rc == Z_STREAM_END) {
      const int reset = inflateReset(&zs);
      SLUICE_ASSERT(reset == Z_OK, "zlib: cannot reset an inflater");
      continue;
    }
    // Output space was offered, so a buffer error means the input ended mid-member.
    if (rc == Z_BUF_ERROR) return invalid("gzip", "truncated stream");
    if (rc != Z_OK) return invalid("gzip", zs.msg != nullptr ? zs.msg : "corrupt stream");
  }
}

std::vector<std::byte> gzip_compress(bytes_view in) {
  z_stream zs{};
  const int init = deflateInit2(&zs, gzip_level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  SLUICE_ASSERT(init == Z_OK, "zlib: cannot set up a deflater");
  std::unique_ptr<z_stream, deflate_end> guard(&zs);
  std::vector<std::byte> out(deflateBound(&zs, static_cast<uLong>(in.size())));
  zs.next_in = as<Bytef>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = as<Bytef>(out.data());
  zs.avail_out = clamp_to_uint(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  SLUICE_ASSERT(rc == Z_STREAM_END, "zlib: output exceeded deflateBound");
  out.resize(zs.total_out);
  return out;
}

bool is_xerial(bytes_view in) {
  // Unambiguous: in raw snappy, 'N' after the length preamble 0x82 'S' would be a copy with nothing yet to
  // copy from. librdkafka and the Java client tell the two forms apart by this same prefix.
  return in.size() >= xerial_magic.size() &&
         std::equal(xerial_magic.begin(), xerial_magic.end(), in.begin(),
                    [](std::uint8_t m, std::byte b) { return std::byte{m} == b; });
}

result<void> snappy_decompress_block(bytes_view block, output_buffer& out) {
  std::size_t length = 0;
  if (!snappy::GetUncompressedLength(as<char>(block.data()), block.size(), &length))
    return invalid("snappy", "block has no valid length preamble");
  if (length > block.size() * snappy_max_ratio)
    return invalid("snappy", "block of " + std::to_string(block.size()) + " bytes claims to hold " +
                                 std::to_string(length));
  SLUICE_ASSIGN_OR_RETURN(auto dst, out.append(length));
  if (!snappy::RawUncompress(as<char>(block.data()), block.size(), as<char>(dst.data())))
    return invalid("snappy", "corrupt block");
  return {};
}

result<std::vector<std::byte>> snappy_decompress_xerial(bytes_view in, std::size_t max_output) {
  if (in.size() < xerial_header_size) return invalid("snappy", "truncated xerial header");
  in = in.subspan(xerial_header_size);
  output_buffer out(max_output, in.size() * 4);
  while (!in.empty()) {
    if (in.size() < sizeof(std::int32_t)) return invalid("snappy", "truncated xerial block length");
    const auto length = load_be<std::int32_t>(in.data());
    in = in.subspan(sizeof(std::int32_t));
    if (length < 0 || static_cast<std::size_t>(length) > in.size())
      return invalid("snappy", "xerial block of " + std::to_string(length) + " bytes overruns the payload");
    SLUICE_RETURN_IF_ERROR(snappy_decompress_block(in.first(static_cast<std::size_t>(length)), out));
    in = in.subspan(static_cast<std::size_t>(length));
  }
  return std::move(out).finish();
}

result<std::vector<std::byte>> snappy_decompress(bytes_view in, std::size_t max_output) {
  if (is_xerial(in)) return snappy_decompress_xerial(in, max_output);
  output_buffer out(max_output, 0);
  SLUICE_RETURN_IF_ERROR(snappy_decompress_block(in, out));
  return std::move(out).finish();
}

// Xerial framing rather than raw snappy: the Java consumer needs it, and librdkafka reads both.
std::vector<std::byte> snappy_compress(bytes_view in) {
  std::vector<std::byte> out(xerial_header_size);
  std::transform(xerial_magic.begin(), xerial_magic.end(), out.begin(),
                 [](std::uint8_t m) { return std::byte{m}; });
  store_be(out.data() + 8, xerial_version);
  store_be(out.data() + 12, xerial_version);
  while (!in.empty()) {
    const auto block = in.first(std::min(in.size(), xerial_block_size));
    const std::size_t at = out.size();
    out.resize(at + sizeof(std::int32_t) + snappy::MaxCompressedLength(block.size()));
    std::size_t length = 0;
    std::byte* dst = out.data() + at + sizeof(std::int32_t);
    snappy::RawCompress(as<char>(block.data()), block.size(), as<char>(dst), &length);
    store_be(out.data() + at, static_cast<std::int32_t>(length));
    out.resize(at + sizeof(std::int32_t) + length);
    in = in.subspan(block.size());
  }
  return out;
}

result<std::vector<std::byte>> lz4_decompress(bytes_view in, std::size_t max_output) {
  LZ4F_dctx* raw_ctx = nullptr;
  const std::size_t init = LZ4F_createDecompressionContext(&raw_ctx, LZ4F_VERSION);
  SLUICE_ASSERT(!LZ4F_isError(init), "lz4: cannot set up a decompression context");
  std::unique_ptr<LZ4F_dctx, lz4_dctx_free> ctx(raw_ctx);
  output_buffer out(max_output, in.size() * 4);
  for (;;) {
    auto space = out.spare();
    if (space.empty()) return too_large(max_output);
    std::size_t produced = space.size();
    std::size_t consumed = in.size();
    const std::size_t hint =
        LZ4F_decompress(ctx.get(), space.data(), &produced, in.data(), &consumed, nullptr);
    if (LZ4F_isError(hint)) return invalid("lz4", LZ4F_getErrorName(hint));
    out.commit(produced);
    in = in.subspan(consumed);
    // hint 0 ends a frame; the context then starts afresh, so any following frame decodes in turn.
    if (hint == 0 && in.empty()) return std::move(out).finish();
    // Output space left over means the decoder stopped for want of input, not of room.
    if (hint != 0 && in.empty() && produced < space.size()) return invalid("lz4", "truncated frame");
    if (consumed == 0 && produced == 0) return invalid("lz4", "decoder made no progress");
  }
}

std::vector<std::byte> lz4_compress(bytes_view in) {
  LZ4F_preferences_t prefs{};
  // Kafka's Java reader refuses linked blocks ("Dependent block stream is unsupported") and block sizes
  // below 64 KiB; checksums stay off, as the batch CRC already covers the payload.
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  std::vector<std::byte> out(LZ4F_compressFrameBound(in.size(), &prefs));
  const std::size_t length = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &prefs);
  SLUICE_ASSERT(!LZ4F_isError(length), "lz4: frame exceeded LZ4F_compressFrameBound");
  out.resize(length);
  return out;
}

// Streaming, because producers that compress as they append records never record the content size.
result<std::vector<std::byte>> zstd_decompress(bytes_view in, std::size_t max_output) {
  std::unique_ptr<ZSTD_DCtx, zstd_dctx_free> ctx(ZSTD_createDCtx());
  SLUICE_ASSERT(ctx != nullptr, "zstd: cannot set up a decompression context");
  output_buffer out(max_output, in.size() * 4);
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  for (;;) {
    auto space = out.spare();
    if (space.empty()) return too_large(max_output);
    ZSTD_outBuffer dst{space.data(), space.size(), 0};
    const std::size_t hint = ZSTD_decompressStream(ctx.get(), &dst, &src);
    if (ZSTD_isError(hint)) return invalid("zstd", ZSTD_getErrorName(hint));
    out.commit(dst.pos);
    const bool input_done = src.pos == src.size;
    // hint 0 ends a frame and the context resets itself, so concatenated frames decode in turn.
    if (hint == 0 && input_done) return std::move(out).finish();
    // Output space left over means the decoder stopped for want of input, not of room.
    if (input_done && dst.pos < dst.size) return invalid("zstd", "truncated frame");
  }
}

std::vector<std::byte> zstd_compress(bytes_view in) {
  std::vector<std::byte> out(ZSTD_compressBound(in.size()));
  const std::size_t length = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), zstd_level);
  SLUICE_ASSERT(!ZSTD_isError(length), "zstd: compression failed despite ZSTD_compressBound");
  out.resize(length);
  return out;
}

result<std::vector<std::byte>> copy_bounded(bytes_view in, std::size_t max_output) {
  if (in.size() > max_output) return too_large(max_output);
  return std::vector<std::byte>(in.begin(), in.end());
}

std::string codec_number(compression codec) { return std::to_string(static_cast<int>(codec)); }

}  // namespace

result<std::vector<std::byte>> decompress(compression codec, bytes_view payload, std::size_t max_output) {
  if (payload.size() > max_payload)
    return fail(errc::invalid_record, "compressed payload of " + std::to_string(payload.size()) +
                                          " bytes is larger than any record batch");
  switch (codec) {
    case compression::none:
      return copy_bounded(payload, max_output);
    case compression::gzip:
      return gzip_decompress(payload, max_output);
    case compression::snappy:
      return snappy_decompress(payload, max_output);
    case compression::lz4:
      return lz4_decompress(payload, max_output);
    case compression::zstd:
      return zstd_decompress(payload, max_output);
  }
  return fail(errc::invalid_record, "unknown compression codec " + codec_number(codec));
}

result<std::vector<std::byte>> compress(compression codec, bytes_view payload) {
  if (payload.size() > max_payload)
    return fail(errc::invalid_argument,
                "payload of " + std::to_string(payload.size()) + " bytes is larger than any record batch");
  switch (codec) {
    case compression::none:
      return std::vector<std::byte>(payload.begin(), payload.end());
    case compression::gzip:
      return gzip_compress(payload);
    case compression::snappy:
      return snappy_compress(payload);
    case compression::lz4:
      return lz4_compress(payload);
    case compression::zstd:
      return zstd_compress(payload);
  }
  return fail(errc::invalid_argument, "unknown compression codec " + codec_number(codec));
}

const char* compression_name(compression codec) {
  switch (codec) {
    case compression::none:
      return "none";
    case compression::gzip:
      return "gzip";
    case compression::snappy:
      return "snappy";
    case compression::lz4:
      return "lz4";
    case compression::zstd:
      return "zstd";
  }
  return "unknown";
}

}  // namespace sluice::model
