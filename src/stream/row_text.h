// stream/row_text.h — a row's text form for dead letters and logs: "(1, 'a', NULL)".
#pragma once

#include <string>

#include "sql/value.h"

namespace sluice::stream {

std::string row_text(const sql::row& r);

}  // namespace sluice::stream
