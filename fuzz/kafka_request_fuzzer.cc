// Feeds arbitrary bytes to the Kafka request path a client can reach: the request header (whose
// version follows from the api key and version it starts with), then the body of that API at that
// version, for every API and version the codec implements. Bodies that decode must encode again,
// and that encoding must decode to an equal message and re-encode to the same bytes. Any crash, sanitizer
// report, hang or abort is a bug.
//
// The first input byte, when it is 0xC5, instead routes the rest to the consumer-protocol
// decoders (the group coordinator reads JoinGroup/SyncGroup metadata with them).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "kafka/protocol/generated/all.h"
#include "kafka/protocol/headers.h"

using namespace sluice;
using namespace sluice::kafka;

namespace {

template <typename T>
std::vector<std::byte> encode_or_abort(const T& message, std::int16_t version) {
  writer w;
  message.encode(w, version);
  if (w.failed()) std::abort();  // a decoded value must be encodable at the version it came in
  return w.take_bytes();
}

template <typename T>
void check(bytes_view body, std::int16_t version) {
  if (version < T::min_version || version > T::max_version) return;
  T message;
  reader r(body);
  if (!message.decode(r, version)) return;
  const auto once = encode_or_abort(message, version);
  T again;
  reader r2(once);
  if (!again.decode(r2, version) || r2.remaining() != 0 || !(again == message)) std::abort();
  if (encode_or_abort(again, version) != once) std::abort();
}

void check_request(std::int16_t api_key, std::int16_t version, bytes_view body) {
  switch (static_cast<kafka::api_key>(api_key)) {
#define SLUICE_FUZZ_CASE(api, request, response) \
  case kafka::api_key::api:                      \
    return check<request>(body, version);
    SLUICE_KAFKA_FOR_EACH_API(SLUICE_FUZZ_CASE)
#undef SLUICE_FUZZ_CASE
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bytes_view input(reinterpret_cast<const std::byte*>(data), size);
  if (size > 0 && data[0] == 0xC5) {
    // Consumer protocol blobs start with their int16 version.
    reader r(input.subspan(1));
    if (auto version = r.read_int16()) {
      const auto rest = input.subspan(1 + r.position());
      check<consumer_protocol_subscription>(rest, *version);
      check<consumer_protocol_assignment>(rest, *version);
    }
    return 0;
  }
  reader r(input);
  auto header = read_request_header(r);
  if (!header) return 0;
  const auto body = input.subspan(r.position());
  check_request(header->request_api_key, header->request_api_version, body);
  return 0;
}
