// sql/pg_catalog.cc — the system catalog relations: their columns (the ones clients read, with
// Postgres's names; oid, name and "char" columns are bigint and text, Sluice's types for them) and
// the rows each generates from the user's relations (see pg_catalog.h).
#include "sql/pg_catalog.h"

#include <map>
#include <string>

#include "base/assert.h"

namespace sluice::sql {
namespace {

using dt = data_type;

constexpr std::int64_t pg_catalog_oid = 11;
constexpr std::int64_t public_oid = 2200;
constexpr std::int64_t information_schema_oid = information_schema_first_oid;
constexpr std::int64_t heap_am_oid = 2;
constexpr std::int64_t default_collation_oid = 100;
constexpr std::int64_t default_tablespace_oid = 1663;
constexpr std::int64_t user_oid_first = 16384;  // Postgres's FirstNormalObjectId

value i(std::int64_t v) { return value::bigint(v); }
value t(std::string v) { return value::text(std::move(v)); }
value b(bool v) { return value::boolean(v); }
value null() { return value(); }

// One relation pg_class describes: a user relation or one of the system ones.
struct class_entry {
  std::int64_t oid;
  std::string name;
  std::int64_t namespace_oid;
  char relkind;
  const sql::schema* columns;
  const std::vector<int>* primary_key;
  const std::string* definition;  // the CREATE statement of a user relation, else empty
};

struct system_table;
using rows_fn = std::vector<row> (*)(const std::vector<class_entry>& classes);

struct system_table {
  const char* schema_name;
  const char* name;
  std::int64_t oid;
  char relkind;  // 'r' for the catalogs Postgres stores, 'v' for its views over them
  sql::schema columns;
  rows_fn rows;
};

std::vector<row> no_rows(const std::vector<class_entry>&) { return {}; }

std::vector<row> namespace_rows(const std::vector<class_entry>&) {
  std::vector<row> out;
  for (const auto& [oid, name] : pg_namespaces())
    out.push_back({i(oid), t(name), i(bootstrap_role_oid), null()});
  return out;
}

std::vector<row> class_rows(const std::vector<class_entry>& classes) {
  std::vector<row> out;
  for (const class_entry& c : classes) {
    std::string kind(1, c.relkind);
    bool stored = c.relkind == 'r' || c.relkind == 'm';
    bool system = c.namespace_oid != public_oid;
    out.push_back({i(c.oid),                                         // oid
                   t(c.name),                                        // relname
                   i(c.namespace_oid),                               // relnamespace
                   i(0),                                             // reltype
                   i(0),                                             // reloftype
                   i(bootstrap_role_oid),                            // relowner
                   i(stored ? heap_am_oid : 0),                      // relam
                   i(0),                                             // relfilenode
                   i(0),                                             // reltablespace
                   i(0),                                             // relpages
                   value::double_precision(-1),                      // reltuples
                   i(0),                                             // relallvisible
                   i(0),                                             // reltoastrelid
                   b(false),                                         // relhasindex
                   b(false),                                         // relisshared
                   t("p"),                                           // relpersistence
                   t(kind),                                          // relkind
                   i(static_cast<std::int64_t>(c.columns->size())),  // relnatts
                   i(0),                                             // relchecks
                   b(false),                                         // relhasrules
                   b(false),                                         // relhastriggers
                   b(false),                                         // relhassubclass
                   b(false),                                         // relrowsecurity
                   b(false),                                         // relforcerowsecurity
                   b(true),                                          // relispopulated
                   t(system ? "n" : "d"),                            // relreplident
                   b(false),                                         // relispartition
                   i(0),                                             // relrewrite
                   null(),                                           // reloptions
                   null(),                                           // relacl
                   null()});                                         // relpartbound
  }
  return out;
}

std::vector<row> attribute_rows(const std::vector<class_entry>& classes) {
  std::vector<row> out;
  for (const class_entry& c : classes) {
    for (std::size_t n = 0; n < c.columns->size(); ++n) {
      const column& col = (*c.columns)[n];
      const pg_type_info& type = pg_type_of(col.type);
      bool key = false;
      for (int k : *c.primary_key) key = key || static_cast<std::size_t>(k) == n;
      bool byval = type.length > 0;
      out.push_back({i(c.oid),                             // attrelid
                     t(col.name),                          // attname
                     i(type.oid),                          // atttypid
                     i(-1),                                // attstattarget
                     i(type.length),                       // attlen
                     i(static_cast<std::int64_t>(n + 1)),  // attnum
                     i(is_array(col.type) ? 1 : 0),        // attndims
                     i(-1),                                // attcacheoff
                     i(col.typmod),                        // atttypmod
                     b(byval),                             // attbyval
                     t(byval ? "d" : "i"),                 // attalign
                     t(byval ? "p" : "x"),                 // attstorage
                     t(""),                                // attcompression
                     b(key),                               // attnotnull
                     b(false),                             // atthasdef
                     b(false),                             // atthasmissing
                     t(""),                                // attidentity
                     t(""),                                // attgenerated
                     b(false),                             // attisdropped
                     b(true),                              // attislocal
                     i(0),                                 // attinhcount
                     i(col.type == dt::text || col.type == dt::text_array ? default_collation_oid : 0),
                     null(),    // attacl
                     null(),    // attoptions
                     null()});  // attfdwoptions
    }
  }
  return out;
}

std::vector<row> type_rows(const std::vector<class_entry>&) {
  std::vector<row> out;
  for (const pg_type_info& type : pg_types()) {
    out.push_back({i(type.oid),                                                           // oid
                   t(type.typname),                                                       // typname
                   i(pg_catalog_oid),                                                     // typnamespace
                   i(bootstrap_role_oid),                                                 // typowner
                   i(type.length),                                                        // typlen
                   b(type.length > 0),                                                    // typbyval
                   t("b"),                                                                // typtype
                   t(type.category),                                                      // typcategory
                   b(true),                                                               // typisdefined
                   t(","),                                                                // typdelim
                   i(0),                                                                  // typrelid
                   i(is_array(type.type) ? pg_type_of(element_type(type.type)).oid : 0),  // typelem
                   i(is_array(type.type) ? 0 : pg_type_of(array_of(type.type)).oid),      // typarray
                   b(false),                                                              // typnotnull
                   i(0),                                                                  // typbasetype
                   i(-1),                                                                 // typtypmod
                   i(0),                                                                  // typndims
                   i(type.type == dt::text || type.type == dt::text_array ? default_collation_oid : 0),
                   null()});  // typdefault
  }
  return out;
}

std::vector<row> database_rows(const std::vector<class_entry>&) {
  return {{i(user_oid_first - 1), t(database_name), i(bootstrap_role_oid), i(6), t("c"), b(false), b(true),
           i(-1), i(default_tablespace_oid), t("C"), t("C"), null(), null(), null()}};
}

std::vector<row> am_rows(const std::vector<class_entry>&) {
  return {{i(heap_am_oid), t("heap"), t("heap_tableam_handler"), t("t")},
          {i(403), t("btree"), t("bthandler"), t("i")}};
}

row role_row() {
  return {i(bootstrap_role_oid),
          t(bootstrap_role_name),
          b(true),
          b(true),
          b(true),
          b(true),
          b(true),
          b(true),
          i(-1),
          t("********"),
          null(),
          b(true),
          null()};
}
std::vector<row> roles_rows(const std::vector<class_entry>&) { return {role_row()}; }

std::vector<row> user_rows(const std::vector<class_entry>&) {
  return {{t(bootstrap_role_name), i(bootstrap_role_oid), b(true), b(true), b(true), b(true), t("********"),
           null(), null()}};
}

std::vector<row> collation_rows(const std::vector<class_entry>&) {
  std::vector<row> out;
  for (auto [oid, name, provider] :
       {std::tuple{default_collation_oid, "default", "d"}, std::tuple{std::int64_t{950}, "C", "c"},
        std::tuple{std::int64_t{951}, "POSIX", "c"}}) {
    bool fixed = std::string_view(provider) == "c";
    out.push_back({i(oid), t(name), i(pg_catalog_oid), i(bootstrap_role_oid), t(provider), b(true), i(-1),
                   fixed ? t(name) : null(), fixed ? t(name) : null(), null()});
  }
  return out;
}

std::vector<row> tablespace_rows(const std::vector<class_entry>&) {
  return {{i(default_tablespace_oid), t("pg_default"), i(bootstrap_role_oid), null(), null()},
          {i(1664), t("pg_global"), i(bootstrap_role_oid), null(), null()}};
}

std::string_view schema_of(const class_entry& c) {
  return c.namespace_oid == public_oid       ? "public"
         : c.namespace_oid == pg_catalog_oid ? "pg_catalog"
                                             : "information_schema";
}

std::vector<row> tables_rows(const std::vector<class_entry>& classes) {
  std::vector<row> out;
  for (const class_entry& c : classes) {
    if (c.relkind != 'r') continue;
    out.push_back({t(std::string(schema_of(c))), t(c.name), t(bootstrap_role_name), null(), b(false),
                   b(false), b(false), b(false)});
  }
  return out;
}

// Postgres's definition is the view's query; Sluice keeps the CREATE statement as written.
std::vector<row> matviews_rows(const std::vector<class_entry>& classes) {
  std::vector<row> out;
  for (const class_entry& c : classes) {
    if (c.relkind != 'm') continue;
    out.push_back(
        {t("public"), t(c.name), t(bootstrap_role_name), null(), b(false), b(true), t(*c.definition)});
  }
  return out;
}

std::vector<row> views_rows(const std::vector<class_entry>& classes) {
  std::vector<row> out;
  for (const class_entry& c : classes) {
    if (c.relkind == 'v')
      out.push_back({t(std::string(schema_of(c))), t(c.name), t(bootstrap_role_name), null()});
  }
  return out;
}

std::vector<row> schemata_rows(const std::vector<class_entry>&) {
  std::vector<row> out;
  for (const char* name : {"pg_catalog", "public", "information_schema"}) {
    out.push_back({t(database_name), t(name), t(bootstrap_role_name), null(), null(), null(), null()});
  }
  return out;
}

std::vector<row> is_tables_rows(const std::vector<class_entry>& classes) {
  std::vector<row> out;
  for (const class_entry& c : classes) {
    if (c.namespace_oid != public_oid) continue;
    out.push_back({t(database_name), t("public"), t(c.name), t(c.relkind == 'r' ? "BASE TABLE" : "VIEW"),
                   null(), null(), null(), null(), null(), t(c.relkind == 'r' ? "YES" : "NO"), t("NO"),
                   null()});
  }
  return out;
}

std::vector<row> is_columns_rows(const std::vector<class_entry>& classes) {
  std::vector<row> out;
  for (const class_entry& c : classes) {
    if (c.namespace_oid != public_oid) continue;
    for (std::size_t n = 0; n < c.columns->size(); ++n) {
      const column& col = (*c.columns)[n];
      bool key = false;
      for (int k : *c.primary_key) key = key || static_cast<std::size_t>(k) == n;
      out.push_back({t(database_name), t("public"), t(c.name), t(col.name),
                     i(static_cast<std::int64_t>(n + 1)), null(), t(key ? "NO" : "YES"),
                     t(pg_type_of(col.type).formatted), t(database_name), t("pg_catalog"),
                     t(pg_type_of(col.type).typname), t("NO"), t("NEVER"), t("NO")});
    }
  }
  return out;
}

// "oid I, relname T, …": column names and types (I bigint, T text, B boolean, F double precision,
// L bigint[] for oid[] and int2vector, S text[] for "char"[]).
sql::schema columns(std::string_view spec) {
  sql::schema out;
  while (!spec.empty()) {
    std::size_t comma = spec.find(',');
    std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    while (item.starts_with(' ')) item.remove_prefix(1);
    std::size_t space = item.find(' ');
    SLUICE_ASSERT(space != std::string_view::npos && space + 2 == item.size(), "a column is `name T`");
    char type = item.back();
    out.push_back({std::string(item.substr(0, space)), type == 'I'   ? dt::bigint
                                                       : type == 'T' ? dt::text
                                                       : type == 'B' ? dt::boolean
                                                       : type == 'L' ? dt::bigint_array
                                                       : type == 'S' ? dt::text_array
                                                                     : dt::double_precision});
  }
  return out;
}

const std::vector<system_table>& system_tables() {
  static const std::vector<system_table> tables = {
      {"pg_catalog", "pg_namespace", 2615, 'r', columns("oid I, nspname T, nspowner I, nspacl S"),
       namespace_rows},
      {"pg_catalog", "pg_class", 1259, 'r',
       columns("oid I, relname T, relnamespace I, reltype I, reloftype I, relowner I, relam I, "
               "relfilenode I, reltablespace I, relpages I, reltuples F, relallvisible I, "
               "reltoastrelid I, relhasindex B, relisshared B, relpersistence T, relkind T, relnatts I, "
               "relchecks I, relhasrules B, relhastriggers B, relhassubclass B, relrowsecurity B, "
               "relforcerowsecurity B, relispopulated B, relreplident T, relispartition B, "
               "relrewrite I, reloptions S, relacl S, relpartbound T"),
       class_rows},
      {"pg_catalog", "pg_attribute", 1249, 'r',
       columns("attrelid I, attname T, atttypid I, attstattarget I, attlen I, attnum I, attndims I, "
               "attcacheoff I, atttypmod I, attbyval B, attalign T, attstorage T, attcompression T, "
               "attnotnull B, atthasdef B, atthasmissing B, attidentity T, attgenerated T, "
               "attisdropped B, attislocal B, attinhcount I, attcollation I, attacl S, attoptions S, "
               "attfdwoptions S"),
       attribute_rows},
      {"pg_catalog", "pg_type", 1247, 'r',
       columns("oid I, typname T, typnamespace I, typowner I, typlen I, typbyval B, typtype T, "
               "typcategory T, typisdefined B, typdelim T, typrelid I, typelem I, typarray I, "
               "typnotnull B, typbasetype I, typtypmod I, typndims I, typcollation I, typdefault T"),
       type_rows},
      {"pg_catalog", "pg_database", 1262, 'r',
       columns("oid I, datname T, datdba I, encoding I, datlocprovider T, datistemplate B, "
               "datallowconn B, datconnlimit I, dattablespace I, datcollate T, datctype T, "
               "daticulocale T, datcollversion T, datacl S"),
       database_rows},
      {"pg_catalog", "pg_am", 2601, 'r', columns("oid I, amname T, amhandler T, amtype T"), am_rows},
      {"pg_catalog", "pg_roles", 12001, 'v',
       columns("oid I, rolname T, rolsuper B, rolinherit B, rolcreaterole B, rolcreatedb B, "
               "rolcanlogin B, rolreplication B, rolconnlimit I, rolpassword T, rolvaliduntil T, "
               "rolbypassrls B, rolconfig S"),
       roles_rows},
      {"pg_catalog", "pg_user", 12002, 'v',
       columns("usename T, usesysid I, usecreatedb B, usesuper B, userepl B, usebypassrls B, passwd T, "
               "valuntil T, useconfig S"),
       user_rows},
      {"pg_catalog", "pg_auth_members", 1261, 'r',
       columns("oid I, roleid I, member I, grantor I, admin_option B"), no_rows},
      {"pg_catalog", "pg_description", 2609, 'r', columns("objoid I, classoid I, objsubid I, description T"),
       no_rows},
      {"pg_catalog", "pg_attrdef", 2604, 'r', columns("oid I, adrelid I, adnum I, adbin T"), no_rows},
      {"pg_catalog", "pg_index", 2610, 'r',
       columns("indexrelid I, indrelid I, indnatts I, indnkeyatts I, indisunique B, indisprimary B, "
               "indisexclusion B, indimmediate B, indisclustered B, indisvalid B, indisready B, "
               "indislive B, indisreplident B, indexprs T, indpred T"),
       no_rows},
      {"pg_catalog", "pg_inherits", 2611, 'r',
       columns("inhrelid I, inhparent I, inhseqno I, inhdetachpending B"), no_rows},
      {"pg_catalog", "pg_constraint", 2606, 'r',
       columns("oid I, conname T, connamespace I, contype T, condeferrable B, condeferred B, "
               "convalidated B, conrelid I, contypid I, conindid I, conparentid I, confrelid I, "
               "conislocal B, coninhcount I, connoinherit B, conbin T"),
       no_rows},
      {"pg_catalog", "pg_collation", 3456, 'r',
       columns("oid I, collname T, collnamespace I, collowner I, collprovider T, collisdeterministic B, "
               "collencoding I, collcollate T, collctype T, colliculocale T"),
       collation_rows},
      {"pg_catalog", "pg_tablespace", 1213, 'r',
       columns("oid I, spcname T, spcowner I, spcacl S, spcoptions S"), tablespace_rows},
      {"pg_catalog", "pg_policy", 3256, 'r',
       columns("oid I, polname T, polrelid I, polcmd T, polpermissive B, polroles L, polqual T, "
               "polwithcheck T"),
       no_rows},
      {"pg_catalog", "pg_rewrite", 2618, 'r',
       columns("oid I, rulename T, ev_class I, ev_type T, ev_enabled T, is_instead B"), no_rows},
      {"pg_catalog", "pg_proc", 1255, 'r',
       columns("oid I, proname T, pronamespace I, proowner I, prolang I, prokind T, prosecdef B, "
               "proretset B, provolatile T, pronargs I, prorettype I, proargtypes L, prosrc T"),
       no_rows},
      {"pg_catalog", "pg_statistic_ext", 3381, 'r',
       columns("oid I, stxrelid I, stxname T, stxnamespace I, stxowner I, stxstattarget I, stxkeys L, "
               "stxkind S"),
       no_rows},
      {"pg_catalog", "pg_publication", 6104, 'r',
       columns("oid I, pubname T, pubowner I, puballtables B, pubinsert B, pubupdate B, pubdelete B, "
               "pubtruncate B, pubviaroot B"),
       no_rows},
      {"pg_catalog", "pg_publication_namespace", 6237, 'r', columns("oid I, pnpubid I, pnnspid I"), no_rows},
      {"pg_catalog", "pg_publication_rel", 6106, 'r',
       columns("oid I, prpubid I, prrelid I, prqual T, prattrs L"), no_rows},
      {"pg_catalog", "pg_trigger", 2620, 'r',
       columns("oid I, tgrelid I, tgname T, tgenabled T, tgisinternal B"), no_rows},
      {"pg_catalog", "pg_tables", 12003, 'v',
       columns("schemaname T, tablename T, tableowner T, tablespace T, hasindexes B, hasrules B, "
               "hastriggers B, rowsecurity B"),
       tables_rows},
      {"pg_catalog", "pg_matviews", 12004, 'v',
       columns("schemaname T, matviewname T, matviewowner T, tablespace T, hasindexes B, ispopulated B, "
               "definition T"),
       matviews_rows},
      {"pg_catalog", "pg_views", 12005, 'v', columns("schemaname T, viewname T, viewowner T, definition T"),
       views_rows},
      {"information_schema", "schemata", information_schema_oid + 3, 'v',
       columns("catalog_name T, schema_name T, schema_owner T, default_character_set_catalog T, "
               "default_character_set_schema T, default_character_set_name T, sql_path T"),
       schemata_rows},
      {"information_schema", "tables", information_schema_oid + 1, 'v',
       columns("table_catalog T, table_schema T, table_name T, table_type T, "
               "self_referencing_column_name T, reference_generation T, user_defined_type_catalog T, "
               "user_defined_type_schema T, user_defined_type_name T, is_insertable_into T, is_typed T, "
               "commit_action T"),
       is_tables_rows},
      {"information_schema", "columns", information_schema_oid + 2, 'v',
       columns("table_catalog T, table_schema T, table_name T, column_name T, ordinal_position I, "
               "column_default T, is_nullable T, data_type T, udt_catalog T, udt_schema T, udt_name T, "
               "is_identity T, is_generated T, is_updatable T"),
       is_columns_rows},
  };
  return tables;
}

std::string qualified(const system_table& s) { return std::string(s.schema_name) + "." + s.name; }

const std::map<std::string, relation_info, std::less<>>& system_relations() {
  static const std::map<std::string, relation_info, std::less<>> relations = [] {
    std::map<std::string, relation_info, std::less<>> out;
    for (const system_table& s : system_tables()) {
      relation_info info;
      info.name = qualified(s);
      info.kind = relation_kind::system;
      info.columns = s.columns;
      out.emplace(info.name, std::move(info));
    }
    return out;
  }();
  return relations;
}

std::vector<class_entry> classes_of(const std::vector<const relation_info*>& relations) {
  static const std::vector<int> no_key;
  static const std::string no_definition;
  std::vector<class_entry> out;
  for (const system_table& s : system_tables()) {
    bool in_pg_catalog = std::string_view(s.schema_name) == "pg_catalog";
    out.push_back({s.oid, s.name, in_pg_catalog ? pg_catalog_oid : information_schema_oid, s.relkind,
                   &s.columns, &no_key, &no_definition});
  }
  for (const relation_info* r : relations) {
    if (r->kind == relation_kind::sink || r->kind == relation_kind::system) continue;
    char kind = r->kind == relation_kind::view ? 'm' : 'r';
    out.push_back(
        {relation_oid(r->name), r->name, public_oid, kind, &r->columns, &r->primary_key, &r->definition});
  }
  return out;
}

}  // namespace

const relation_info* find_system_relation(std::string_view schema_name, std::string_view name) {
  std::string key = std::string(schema_name.empty() ? "pg_catalog" : schema_name) + "." + std::string(name);
  const auto& relations = system_relations();
  auto it = relations.find(key);
  return it == relations.end() ? nullptr : &it->second;
}

const std::vector<std::pair<std::int64_t, std::string>>& pg_namespaces() {
  static const std::vector<std::pair<std::int64_t, std::string>> namespaces = {
      {pg_catalog_oid, "pg_catalog"}, {public_oid, "public"}, {information_schema_oid, "information_schema"}};
  return namespaces;
}

std::vector<const relation_info*> system_relation_list() {
  std::vector<const relation_info*> out;
  for (const auto& [_, info] : system_relations()) out.push_back(&info);
  return out;
}

bool is_system_relation(std::string_view qualified_name) {
  return system_relations().contains(qualified_name);
}

std::vector<row> system_rows(std::string_view qualified_name,
                             const std::vector<const relation_info*>& relations) {
  for (const system_table& s : system_tables()) {
    if (qualified(s) != qualified_name) continue;
    std::vector<row> out = s.rows(classes_of(relations));
    for (const row& r : out)
      SLUICE_ASSERT(r.size() == s.columns.size(), "a catalog row has a column too many or few");
    return out;
  }
  return {};
}

std::int64_t relation_oid(std::string_view name) {
  std::uint32_t h = 2166136261u;  // FNV-1a
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return user_oid_first + static_cast<std::int64_t>(h % (std::uint32_t{1} << 30));
}

std::int64_t oid_of(const relation_info& r) {
  if (r.kind != relation_kind::system) return relation_oid(r.name);
  for (const system_table& s : system_tables()) {
    if (qualified(s) == r.name) return s.oid;
  }
  return 0;
}

const std::vector<pg_type_info>& pg_types() {
  static const std::vector<pg_type_info> types = {
      {dt::boolean, 16, "bool", "boolean", 1, "B"},
      {dt::bigint, 20, "int8", "bigint", 8, "N"},
      {dt::text, 25, "text", "text", -1, "S"},
      {dt::double_precision, 701, "float8", "double precision", 8, "N"},
      {dt::numeric, 1700, "numeric", "numeric", -1, "N"},
      {dt::date, 1082, "date", "date", 4, "D"},
      {dt::time, 1083, "time", "time without time zone", 8, "D"},
      {dt::timestamp, 1114, "timestamp", "timestamp without time zone", 8, "D"},
      {dt::timestamptz, 1184, "timestamptz", "timestamp with time zone", 8, "D"},
      {dt::interval, 1186, "interval", "interval", 16, "T"},
      {dt::jsonb, 3802, "jsonb", "jsonb", -1, "U"},
      {dt::boolean_array, 1000, "_bool", "boolean[]", -1, "A"},
      {dt::bigint_array, 1016, "_int8", "bigint[]", -1, "A"},
      {dt::text_array, 1009, "_text", "text[]", -1, "A"},
      {dt::double_precision_array, 1022, "_float8", "double precision[]", -1, "A"},
      {dt::date_array, 1182, "_date", "date[]", -1, "A"},
      {dt::timestamp_array, 1115, "_timestamp", "timestamp without time zone[]", -1, "A"},
      {dt::timestamptz_array, 1185, "_timestamptz", "timestamp with time zone[]", -1, "A"},
      {dt::interval_array, 1187, "_interval", "interval[]", -1, "A"},
      {dt::jsonb_array, 3807, "_jsonb", "jsonb[]", -1, "A"},
      {dt::numeric_array, 1231, "_numeric", "numeric[]", -1, "A"},
      {dt::time_array, 1183, "_time", "time without time zone[]", -1, "A"},
      {dt::json, 114, "json", "json", -1, "U"},
      {dt::json_array, 199, "_json", "json[]", -1, "A"},
  };
  return types;
}

const pg_type_info& pg_type_of(data_type type) {
  for (const pg_type_info& info : pg_types()) {
    if (info.type == type) return info;
  }
  static const pg_type_info unknown{dt::unknown, 705, "unknown", "unknown", -2, "X"};
  return unknown;
}

}  // namespace sluice::sql
