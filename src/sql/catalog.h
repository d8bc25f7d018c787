// sql/catalog.h — what the binder needs to know about the relations a statement names.
//
// Sources are append-only streams over a topic; tables are upsert relations over a keyed topic
// (latest value per primary key, a null value deletes); views are materialized queries; sinks
// write a view's changes to a topic. The engine owns the catalog and its persistence; the binder
// only reads it through catalog_reader.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/value.h"

namespace sluice::sql {

// `system`: a read-only relation of Postgres's system catalogs (pg_catalog.pg_class, …) that
// describes the others; pull queries only (see pg_catalog.h).
enum class relation_kind : std::uint8_t { source, table, view, sink, system };

std::string_view relation_kind_name(relation_kind kind);  // "source", "table", ...

// WATERMARK FOR column AS column - INTERVAL '…': the watermark trails the largest event time seen
// by `delay`.
struct watermark_spec {
  int column = -1;
  std::int64_t delay_micros = 0;
};

struct relation_info {
  std::string name;
  relation_kind kind = relation_kind::source;
  sql::schema columns;
  std::vector<int> primary_key;                // tables (and views whose key the planner derived)
  std::optional<watermark_spec> watermark;     // sources with a WATERMARK clause
  std::map<std::string, std::string> options;  // WITH (topic = '…', format = 'json', …)
  std::string definition;                      // the CREATE statement as the user wrote it
  std::vector<std::string> defaults;           // tables: each column's DEFAULT expression (SQL), or ""
  std::vector<int> not_null;                   // tables: NOT NULL columns (the primary key's too)
};

// The position of the column called `name`, or -1.
int column_index(const schema& columns, std::string_view name);

class catalog_reader {
 public:
  virtual ~catalog_reader() = default;
  // Names are case-folded like Postgres identifiers before lookup (unquoted → lower case).
  virtual const relation_info* find(std::string_view name) const = 0;
  // Every relation (sinks included), in a stable order: what the system catalogs describe.
  virtual std::vector<const relation_info*> list() const = 0;
};

}  // namespace sluice::sql
