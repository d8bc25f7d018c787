// sql/expr.h — bound scalar expressions: what the binder produces from SQL text and every operator
// evaluates against a row. Names and types are resolved: a column is an index into the input row and
// a function call holds the implementation chosen for its argument types.
//
// NULL follows Postgres: strict functions (most) return NULL when an argument is NULL; AND/OR use
// three-valued logic; CASE and COALESCE evaluate lazily.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "sql/value.h"

namespace sluice::sql {

using scalar_fn = value (*)(const value* args, std::size_t count);

enum class expr_kind : std::uint8_t {
  constant,
  column,       // input row[column]
  call,         // fn(args...)
  and_op,       // args[0] AND args[1] AND ...
  or_op,        // args[0] OR args[1] OR ...
  not_op,       // NOT args[0]
  is_null,      // args[0] IS NULL
  is_not_null,  // args[0] IS NOT NULL
  case_when,    // args = [when1, then1, when2, then2, ..., else]; else is a NULL constant if absent
  coalesce,     // first non-NULL of args
  param,        // inside a subquery: its outer values[column] (see sql/subquery.h)
  subquery,     // a subquery in an expression: `query`, with its outer values as args
};

struct subquery;

struct expr {
  expr_kind kind = expr_kind::constant;
  data_type type = data_type::unknown;  // the result type
  value constant;                       // kind == constant
  int column = -1;                      // kind == column
  scalar_fn fn = nullptr;               // kind == call
  bool strict = true;                   // kind == call: NULL in any argument gives NULL without calling fn
  std::string name;                     // for EXPLAIN and errors: the column or function name
  std::vector<expr> args;
  std::shared_ptr<const subquery> query;  // kind == subquery
  int location = -1;                      // byte offset of the expression in the statement, -1 if synthesized

  static expr make_constant(value v, data_type type);
  static expr make_column(int index, data_type type, std::string name);
};

// Evaluates `e` over `input`. Throws eval_error on data errors.
value evaluate(const expr& e, const row& input);
// A predicate holds only when it evaluates to true (NULL and false both reject the row).
bool evaluate_predicate(const expr& e, const row& input);

// Readable form for EXPLAIN: "(price * 2)", "lower(name)", "#3".
std::string to_string(const expr& e);

}  // namespace sluice::sql
