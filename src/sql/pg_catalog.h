// sql/pg_catalog.h — Postgres's system catalogs (pg_catalog.pg_class, pg_attribute, pg_namespace, …
// and information_schema.tables/columns) as read-only relations, so that clients which describe a
// database through them — psql's \d, \dt, \l, GUI browsers — work against Sluice.
//
// Their rows are generated from the engine's catalog each time a pull query reads them; nothing is
// stored. Sources and tables are ordinary tables (relkind 'r'), materialized views are relkind 'm'.
// Tables Sluice has nothing for (indexes, constraints, comments, defaults, inheritance, policies)
// exist and are empty, so queries that join them still run.
//
// Oids: the catalogs' own relations, namespaces, types and the single role use Postgres's fixed oids;
// a user relation's oid is derived from its name (≥ 16384, as user objects are in Postgres), so it is
// stable across restarts and unaffected by other relations being created or dropped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sql/catalog.h"

namespace sluice::sql {

// The system relation `schema_name.name` names: schema "pg_catalog" or "information_schema", or empty
// for an unqualified name (which means pg_catalog's). Nullptr if there is none. The relation's
// `name` is qualified ("pg_catalog.pg_class") and its kind is relation_kind::system.
const relation_info* find_system_relation(std::string_view schema_name, std::string_view name);

// The rows of the system relation named `qualified_name` (as find_system_relation names it),
// describing `relations` (the user's sources, tables and views; sinks are left out).
std::vector<row> system_rows(std::string_view qualified_name,
                             const std::vector<const relation_info*>& relations);

// The schemas, by oid: pg_catalog, public, information_schema.
const std::vector<std::pair<std::int64_t, std::string>>& pg_namespaces();

// Every system relation.
std::vector<const relation_info*> system_relation_list();

// Whether `qualified_name` is a system relation's (as find_system_relation names them).
bool is_system_relation(std::string_view qualified_name);

// A user relation's oid.
std::int64_t relation_oid(std::string_view name);
// The oid pg_class gives `r`: relation_oid(r.name) for a user relation, Postgres's for a catalog.
std::int64_t oid_of(const relation_info& r);

// What pg_type says about one of Sluice's types.
struct pg_type_info {
  data_type type;
  std::int64_t oid;
  const char* typname;    // "int8"
  const char* formatted;  // format_type's spelling: "bigint"
  std::int64_t length;    // typlen: -1 for variable length
  const char* category;   // typcategory: "N" numeric, "S" string, "D" date/time, …
};
const std::vector<pg_type_info>& pg_types();
const pg_type_info& pg_type_of(data_type type);

// Fixed oids shared by the catalog rows and the functions that read them.
inline constexpr std::int64_t bootstrap_role_oid = 10;  // the owner of everything
inline constexpr const char* bootstrap_role_name = "sluice";
inline constexpr const char* database_name = "sluice";
// information_schema's relations get oids in [13000, 14000); pg_table_is_visible is false for them
// because that schema is not on the search path.
inline constexpr std::int64_t information_schema_first_oid = 13000;
inline constexpr std::int64_t information_schema_end_oid = 14000;

}  // namespace sluice::sql
