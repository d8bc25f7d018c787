// sql/front.h — the hand-written front for statements the PostgreSQL grammar does not know
// (RisingWave/Materialize dialect). Each reader gets the statement text (earlier statements blanked
// so positions stay absolute) and its tokens; clauses the grammar does know are handed to pg_parse
// with the foreign parts overwritten by blanks, which keeps every error position right.
#pragma once

#include <string>
#include <vector>

#include "sql/front_lexer.h"
#include "sql/statement.h"

namespace sluice::sql {

sql_result<statement> parse_create_relation(const std::string& text, const std::vector<token>& tokens,
                                            bool table);
sql_result<statement> parse_create_sink(const std::string& text, const std::vector<token>& tokens);
sql_result<statement> parse_create_view(const std::string& text, const std::vector<token>& tokens);
sql_result<statement> parse_create_plain_view(const std::string& text, const std::vector<token>& tokens);
sql_result<statement> parse_drop(const std::vector<token>& tokens);
sql_result<statement> parse_show(const std::vector<token>& tokens);
sql_result<statement> parse_describe(const std::vector<token>& tokens);

// `syntax error at or near "…"` at the token (`at end of input` for the end token).
tl::unexpected<sql_error> syntax_error_at(const token& t);

}  // namespace sluice::sql
