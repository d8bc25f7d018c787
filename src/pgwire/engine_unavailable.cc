#include "pgwire/engine_unavailable.h"

#include <string_view>

namespace sluice::pgwire {
namespace {

// Only whitespace and semicolons: an empty query, which Postgres answers without an error.
bool blank(std::string_view sql) { return sql.find_first_not_of(" \t\r\n\f;") == std::string_view::npos; }

tl::unexpected<sql::sql_error> unavailable() {
  return sql::sql_fail(sql::sqlstate::feature_not_supported, engine_unavailable_message);
}

class unavailable_session final : public query_session {
 public:
  std::vector<sql::sql_result<query_result>> simple_query(std::string_view sql) override {
    if (blank(sql)) return {};
    return {unavailable()};
  }
  sql::sql_result<std::unique_ptr<prepared_statement>> prepare(std::string_view,
                                                               const std::vector<sql::data_type>&) override {
    return unavailable();
  }
};

class unavailable_factory final : public session_factory {
 public:
  sql::sql_result<std::unique_ptr<query_session>> open_session(const startup_parameters&) override {
    return std::make_unique<unavailable_session>();
  }
};

}  // namespace

std::shared_ptr<session_factory> engine_unavailable_sessions() {
  return std::make_shared<unavailable_factory>();
}

}  // namespace sluice::pgwire
