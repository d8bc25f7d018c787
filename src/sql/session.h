// sql/session.h — a SQL session as the tests (and pgwire) see it: text in, a result or an error out.
// The streaming engine implements sql_session over its catalog and dataflows; batch_session is the
// reference implementation kept here: relations hold rows in memory (CREATE TABLE/SOURCE, then
// INSERT), materialized views are recomputed by the batch executor when read, and every query runs
// with execute_batch. The sqllogictest files run against both.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sql/catalog.h"
#include "sql/error.h"
#include "sql/execute.h"
#include "sql/query_result.h"
#include "sql/session_statements.h"
#include "sql/statement.h"

namespace sluice::sql {

class sql_session {
 public:
  virtual ~sql_session() = default;
  // Runs every statement of `sql`; the result is the last statement's. Stops at the first error.
  virtual sql_result<query_result> execute(std::string_view sql) = 0;
};

class batch_session final : public sql_session {
 public:
  explicit batch_session(execute_limits limits = {}) : catalog_(*this), rows_(*this), limits_(limits) {}
  batch_session(const batch_session&) = delete;
  batch_session& operator=(const batch_session&) = delete;

  sql_result<query_result> execute(std::string_view sql) override;

 private:
  struct entry {
    relation_info info;
    std::vector<row> rows;
    std::shared_ptr<plan> view_plan;  // materialized views
  };
  struct catalog_view final : catalog_reader {
    explicit catalog_view(const batch_session& s) : session(s) {}
    const relation_info* find(std::string_view name) const override;
    std::vector<const relation_info*> list() const override;
    const batch_session& session;
  };
  struct rows_view final : relation_rows {
    explicit rows_view(const batch_session& s) : session(s) {}
    const std::vector<row>* find(std::string_view name) const override;
    const batch_session& session;
  };

  sql_result<query_result> execute_all(std::string_view sql);
  sql_result<query_result> run(const statement& stmt);
  sql_result<query_result> run_query(const query_tree& query);
  sql_result<query_result> create(relation_info info, bool if_not_exists);
  sql_result<query_result> insert(const insert_stmt& stmt);
  sql_result<query_result> modify(const modify_stmt& stmt);
  sql_result<query_result> drop(const drop_stmt& stmt);
  sql_result<query_result> explain_query(const explain_stmt& stmt);
  sql_result<query_result> show(const show_relations_stmt& stmt);
  sql_result<query_result> describe(const describe_stmt& stmt);
  sql_result<query_result> create_view(const create_view_stmt& stmt);
  void refresh_views();

  catalog_view catalog_;
  rows_view rows_;
  std::map<std::string, entry, std::less<>> relations_;
  // The rows of the system catalog relations the running query reads (see pg_catalog.h).
  std::map<std::string, std::vector<row>, std::less<>> system_rows_;
  std::vector<std::string> view_order_;
  session_settings settings_;
  execute_limits limits_;
};

}  // namespace sluice::sql
