#include "stream/row_text.h"

namespace sluice::stream {

std::string row_text(const sql::row& r) {
  std::string out = "(";
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (i > 0) out += ", ";
    if (r[i].is_null()) {
      out += "NULL";
    } else if (sql::is_numeric(r[i].type()) || r[i].type() == sql::data_type::boolean) {
      out += r[i].to_text();
    } else {
      out += "'" + r[i].to_text() + "'";
    }
  }
  return out + ")";
}

}  // namespace sluice::stream
