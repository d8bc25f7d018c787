// base/result.h — expected failures as values.
//
// Every fallible operation returns result<T>: either a T or an error carrying
// an errc and a human-readable reason. Protocol layers map errc to their own
// codes (Kafka error codes, SQLSTATEs, HTTP statuses) in one place each.
// Invariant violations are not errors: they abort via SLUICE_ASSERT.
#pragma once

#include <string>
#include <tl/expected.hpp>
#include <utility>

namespace sluice {

enum class errc {
  invalid_argument,        // the caller asked for something malformed
  corrupt_batch,           // a record batch failed its CRC or framing check
  invalid_record,          // a well-framed batch whose contents break the rules
  message_too_large,       // a batch bigger than the topic allows
  offset_out_of_range,     // an offset outside [log start, log end]
  not_found,               // no such topic, partition or file
  already_exists,          // a topic or file that must not exist already does
  invalid_config,          // a config name or value that is not accepted
  corruption,              // data on disk failed a check (never client input)
  no_space,                // the disk is full (ENOSPC, EDQUOT)
  io_error,                // any other failure of the operating system
  closed,                  // the object was shut down
  out_of_order_sequence,   // an idempotent producer skipped or reused a sequence number
  invalid_producer_epoch,  // an idempotent producer's epoch is older than the one the log knows
};

const char* errc_name(errc code);

struct [[nodiscard]] error {
  errc code;
  std::string message;

  std::string describe() const { return std::string(errc_name(code)) + ": " + message; }
};

template <typename T>
using result = tl::expected<T, error>;

// Shorthand for returning a failure: `return fail(errc::not_found, "...")`.
inline tl::unexpected<error> fail(errc code, std::string message) {
  return tl::unexpected<error>(error{code, std::move(message)});
}

}  // namespace sluice

// Returns the error of `expr` (a result<T>) from the enclosing function.
#define SLUICE_RETURN_IF_ERROR(expr)                              \
  do {                                                            \
    if (auto sluice_result_ = (expr); !sluice_result_)            \
      return ::tl::unexpected(std::move(sluice_result_).error()); \
  } while (0)

#define SLUICE_CONCAT_INNER_(a, b) a##b
#define SLUICE_CONCAT_(a, b) SLUICE_CONCAT_INNER_(a, b)

// `SLUICE_ASSIGN_OR_RETURN(auto x, make_x());` declares x from the value of a
// result<T>, or returns its error from the enclosing function.
#define SLUICE_ASSIGN_OR_RETURN(lhs, expr) \
  SLUICE_ASSIGN_OR_RETURN_IMPL_(SLUICE_CONCAT_(sluice_tmp_, __LINE__), lhs, expr)
#define SLUICE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)        \
  auto tmp = (expr);                                         \
  if (!tmp) return ::tl::unexpected(std::move(tmp).error()); \
  lhs = std::move(tmp).value()
