#include "base/result.h"

namespace sluice {

const char* errc_name(errc code) {
  switch (code) {
    case errc::invalid_argument:
      return "invalid argument";
    case errc::corrupt_batch:
      return "corrupt batch";
    case errc::invalid_record:
      return "invalid record";
    case errc::message_too_large:
      return "message too large";
    case errc::offset_out_of_range:
      return "offset out of range";
    case errc::not_found:
      return "not found";
    case errc::already_exists:
      return "already exists";
    case errc::invalid_config:
      return "invalid config";
    case errc::corruption:
      return "corruption";
    case errc::no_space:
      return "no space left on device";
    case errc::io_error:
      return "i/o error";
    case errc::closed:
      return "closed";
    case errc::out_of_order_sequence:
      return "out of order sequence number";
    case errc::invalid_producer_epoch:
      return "invalid producer epoch";
  }
  return "unknown error";
}

}  // namespace sluice
