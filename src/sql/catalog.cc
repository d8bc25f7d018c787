// sql/catalog.cc — names of relation kinds, as SHOW, DROP and EXPLAIN print them.
#include "sql/catalog.h"

namespace sluice::sql {

int column_index(const schema& columns, std::string_view name) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string_view relation_kind_name(relation_kind kind) {
  switch (kind) {
    case relation_kind::source:
      return "source";
    case relation_kind::table:
      return "table";
    case relation_kind::view:
      return "materialized view";
    case relation_kind::sink:
      return "sink";
    case relation_kind::system:
      return "system catalog";
  }
  return "relation";
}

}  // namespace sluice::sql
