// sql/error.h — SQL errors as Postgres reports them: a SQLSTATE, a message, and where in the
// statement the mistake is, so pgwire can send an ErrorResponse that psql underlines.
#pragma once

#include <stdexcept>
#include <string>
#include <tl/expected.hpp>

namespace sluice::sql {

// The SQLSTATEs the engine raises (Postgres's codes, appendix A of its manual).
namespace sqlstate {
inline constexpr const char* syntax_error = "42601";
inline constexpr const char* undefined_table = "42P01";
inline constexpr const char* undefined_column = "42703";
inline constexpr const char* undefined_function = "42883";
inline constexpr const char* ambiguous_column = "42702";
inline constexpr const char* duplicate_table = "42P07";
inline constexpr const char* datatype_mismatch = "42804";
inline constexpr const char* grouping_error = "42803";
inline constexpr const char* feature_not_supported = "0A000";
inline constexpr const char* invalid_parameter_value = "22023";
inline constexpr const char* invalid_text_representation = "22P02";
inline constexpr const char* invalid_datetime_format = "22007";
inline constexpr const char* division_by_zero = "22012";
inline constexpr const char* numeric_value_out_of_range = "22003";
inline constexpr const char* dependent_objects_still_exist = "2BP01";
inline constexpr const char* wrong_object_type = "42809";
inline constexpr const char* internal_error = "XX000";
}  // namespace sqlstate

struct sql_error {
  std::string code;     // SQLSTATE
  std::string message;  // Postgres style: lower case, no trailing period
  int position = -1;    // byte offset into the statement text, -1 if none
  std::string detail;
  std::string hint;
};

template <typename T>
using sql_result = tl::expected<T, sql_error>;

inline tl::unexpected<sql_error> sql_fail(const char* code, std::string message, int position = -1) {
  return tl::unexpected<sql_error>(sql_error{code, std::move(message), position, {}, {}});
}

// Raised by evaluate() for data errors (division by zero, a bad cast): such an error ends the pull
// query that met it, or sends the event that caused it to the pipeline's dead-letter topic.
class eval_error : public std::runtime_error {
 public:
  eval_error(const char* code, const std::string& message, std::string detail = {})
      : std::runtime_error(message), code_(code), detail_(std::move(detail)) {}
  const char* code() const { return code_; }
  const std::string& detail() const { return detail_; }

 private:
  const char* code_;
  std::string detail_;  // Postgres's DETAIL line, if any
};

// A data error as a statement's error, at `position` in its text (-1: none).
inline sql_error to_sql_error(const eval_error& e, int position = -1) {
  return sql_error{e.code(), e.what(), position, e.detail(), {}};
}
inline tl::unexpected<sql_error> sql_fail(const eval_error& e, int position = -1) {
  return tl::unexpected<sql_error>(to_sql_error(e, position));
}

}  // namespace sluice::sql
