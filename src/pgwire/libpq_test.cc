// The real libpq against the real listener (on 127.0.0.1, a free port) over the canned test handler:
// what psql, psycopg2 and most drivers do on the wire.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstring>
#include <memory>
#include <string>

#include "base/bytes.h"
#include "pgwire/listener.h"
#include "pgwire/test_handler.h"

namespace sluice::pgwire {
namespace {

struct result_deleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using pg_result = std::unique_ptr<PGresult, result_deleter>;
struct conn_deleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using pg_conn = std::unique_ptr<PGconn, conn_deleter>;

class LibpqTest : public ::testing::Test {
 protected:
  void SetUp() override { start(testing::canned_sessions()); }

  static listener_options options() {
    return listener_options{.host = "127.0.0.1", .port = 0, .threads = 1, .query_threads = 2};
  }

  void start(std::shared_ptr<session_factory> sessions, listener_options o = options()) {
    server_ = std::make_unique<listener>(std::move(o), std::move(sessions));
    ASSERT_TRUE(server_->listen());
    server_->run();
  }

  pg_conn connect(const std::string& extra = "") {
    auto info = "host=127.0.0.1 port=" + std::to_string(server_->local_port()) +
                " user=tester dbname=sluice connect_timeout=10 " + extra;
    pg_conn c(PQconnectdb(info.c_str()));
    EXPECT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
    return c;
  }

  pg_result exec(PGconn* c, const char* sql) { return pg_result(PQexec(c, sql)); }

  std::unique_ptr<listener> server_;
};

std::string field(const PGresult* r, int code) {
  const char* f = PQresultErrorField(r, code);
  return f ? f : "";
}

TEST_F(LibpqTest, ConnectReportsTheSettingsDriversCheck) {
  auto c = connect("application_name=pgwire-test");
  EXPECT_EQ(PQserverVersion(c.get()), 150000);
  EXPECT_STREQ(PQparameterStatus(c.get(), "server_version"), "15.0");
  EXPECT_STREQ(PQparameterStatus(c.get(), "client_encoding"), "UTF8");
  EXPECT_STREQ(PQparameterStatus(c.get(), "server_encoding"), "UTF8");
  EXPECT_STREQ(PQparameterStatus(c.get(), "DateStyle"), "ISO, MDY");
  EXPECT_STREQ(PQparameterStatus(c.get(), "TimeZone"), "UTC");
  EXPECT_STREQ(PQparameterStatus(c.get(), "integer_datetimes"), "on");
  EXPECT_STREQ(PQparameterStatus(c.get(), "standard_conforming_strings"), "on");
  EXPECT_STREQ(PQparameterStatus(c.get(), "application_name"), "pgwire-test");
  EXPECT_GT(PQbackendPID(c.get()), 0);
  EXPECT_EQ(PQtransactionStatus(c.get()), PQTRANS_IDLE);
}

TEST_F(LibpqTest, SessionFactoryErrorRefusesTheConnection) {
  auto info = "host=127.0.0.1 port=" + std::to_string(server_->local_port()) + " user=t dbname=missing";
  pg_conn c(PQconnectdb(info.c_str()));
  EXPECT_EQ(PQstatus(c.get()), CONNECTION_BAD);
  EXPECT_NE(std::string(PQerrorMessage(c.get())).find("database \"missing\" does not exist"),
            std::string::npos);
}

TEST_F(LibpqTest, SimpleQueryReturnsRowsInTextFormat) {
  auto c = connect();
  auto r = exec(c.get(), "SELECT 7");
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(r.get());
  EXPECT_EQ(PQnfields(r.get()), 1);
  EXPECT_STREQ(PQfname(r.get(), 0), "?column?");
  EXPECT_EQ(PQftype(r.get(), 0), 20u);
  EXPECT_EQ(PQntuples(r.get()), 1);
  EXPECT_STREQ(PQgetvalue(r.get(), 0, 0), "7");
  EXPECT_STREQ(PQcmdStatus(r.get()), "SELECT 1");
  EXPECT_STREQ(PQcmdTuples(r.get()), "1");
}

TEST_F(LibpqTest, EveryTypeHasItsOidAndTextForm) {
  auto c = connect();
  auto r = exec(c.get(), "SELECT types");
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(r.get());
  const Oid want_oids[] = {16, 20, 701, 25, 1114, 1184, 1082, 1186, 3802, 25};
  const char* want_text[] = {"t",
                             "-42",
                             "1.5",
                             "héllo",
                             "2000-01-01 00:00:00.000001",
                             "1970-01-01 00:00:00+00",
                             "2000-01-02",
                             "1 mon 2 days 00:00:03",
                             R"({"a": 1})"};
  ASSERT_EQ(PQnfields(r.get()), 10);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(PQftype(r.get(), i), want_oids[i]) << "column " << i;
  for (int i = 0; i < 9; ++i) EXPECT_STREQ(PQgetvalue(r.get(), 0, i), want_text[i]) << "column " << i;
  EXPECT_TRUE(PQgetisnull(r.get(), 0, 9));
  EXPECT_EQ(PQfsize(r.get(), 0), 1);
  EXPECT_EQ(PQfsize(r.get(), 1), 8);
  EXPECT_EQ(PQfsize(r.get(), 3), -1);
}

TEST_F(LibpqTest, CommandWithoutRowsAndEmptyQuery) {
  auto c = connect();
  auto created = exec(c.get(), "CREATE SOURCE s");
  EXPECT_EQ(PQresultStatus(created.get()), PGRES_COMMAND_OK);
  EXPECT_STREQ(PQcmdStatus(created.get()), "CREATE SOURCE");
  EXPECT_EQ(PQresultStatus(exec(c.get(), "").get()), PGRES_EMPTY_QUERY);
  EXPECT_EQ(PQresultStatus(exec(c.get(), " ; ").get()), PGRES_EMPTY_QUERY);
}

void keep_notice(void* into, const PGresult* notice) {
  *static_cast<std::string*>(into) = field(notice, PG_DIAG_SQLSTATE) + " " + field(notice, PG_DIAG_SEVERITY) +
                                     " " + field(notice, PG_DIAG_MESSAGE_PRIMARY);
}

TEST_F(LibpqTest, NoticesReachTheClient) {
  auto c = connect();
  std::string notice;
  PQsetNoticeReceiver(c.get(), keep_notice, &notice);
  EXPECT_EQ(PQresultStatus(exec(c.get(), "CREATE SOURCE IF NOT EXISTS s").get()), PGRES_COMMAND_OK);
  EXPECT_EQ(notice, "42P07 NOTICE source already exists, skipping");
}

TEST_F(LibpqTest, MultipleStatementsStopAtTheFirstErrorWithItsPosition) {
  auto c = connect();
  ASSERT_TRUE(PQsendQuery(c.get(), "SELECT 1; SELECT nope; SELECT 2"));
  std::vector<pg_result> results;
  while (auto* r = PQgetResult(c.get())) results.emplace_back(r);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_STREQ(PQgetvalue(results[0].get(), 0, 0), "1");
  EXPECT_EQ(PQresultStatus(results[1].get()), PGRES_FATAL_ERROR);
  EXPECT_EQ(field(results[1].get(), PG_DIAG_SQLSTATE), "42703");
  EXPECT_EQ(field(results[1].get(), PG_DIAG_MESSAGE_PRIMARY), "column \"nope\" does not exist");
  EXPECT_EQ(field(results[1].get(), PG_DIAG_SEVERITY), "ERROR");
  EXPECT_EQ(field(results[1].get(), PG_DIAG_STATEMENT_POSITION), "18");  // 1-based, in the whole string
  // The connection goes on.
  EXPECT_STREQ(PQgetvalue(exec(c.get(), "SELECT 3").get(), 0, 0), "3");
}

TEST_F(LibpqTest, ErrorPositionCountsCharactersNotBytes) {
  auto c = connect();
  auto r = exec(c.get(), "/*é*/SELECT nope");  // 'é' is two bytes, one character
  EXPECT_EQ(field(r.get(), PG_DIAG_STATEMENT_POSITION), "13");
}

TEST_F(LibpqTest, TextParametersAndResults) {
  auto c = connect();
  const Oid types[] = {23, 0, 1114};
  const char* values[] = {"42", "hi", "2024-01-02 03:04:05"};
  pg_result r(PQexecParams(c.get(), "ECHO $1, $2, $3", 3, types, values, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(r.get());
  EXPECT_EQ(PQftype(r.get(), 0), 20u);
  EXPECT_EQ(PQftype(r.get(), 1), 25u);
  EXPECT_EQ(PQftype(r.get(), 2), 1114u);
  EXPECT_STREQ(PQgetvalue(r.get(), 0, 0), "42");
  EXPECT_STREQ(PQgetvalue(r.get(), 0, 1), "hi");
  EXPECT_STREQ(PQgetvalue(r.get(), 0, 2), "2024-01-02 03:04:05");
}

TEST_F(LibpqTest, NullParameter) {
  auto c = connect();
  const char* values[] = {nullptr};
  pg_result r(PQexecParams(c.get(), "ECHO $1", 1, nullptr, values, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(r.get());
  EXPECT_TRUE(PQgetisnull(r.get(), 0, 0));
}

TEST_F(LibpqTest, BinaryParametersRoundTripAsBinaryResults) {
  auto c = connect();
  std::byte i4[4], i8[8], f8[8], ts[8], day[4];
  store_be<std::int32_t>(i4, -7);
  store_be<std::int64_t>(i8, 1LL << 40);
  store_be<std::uint64_t>(f8, std::bit_cast<std::uint64_t>(2.25));
  store_be<std::int64_t>(ts, 86'400'000'000LL);  // 2000-01-02 in Postgres's epoch
  store_be<std::int32_t>(day, -1);               // 1999-12-31
  const char truth = 1;
  const Oid types[] = {23, 20, 701, 16, 25, 1114, 1082};
  const char* values[] = {reinterpret_cast<const char*>(i4),
                          reinterpret_cast<const char*>(i8),
                          reinterpret_cast<const char*>(f8),
                          &truth,
                          "text",
                          reinterpret_cast<const char*>(ts),
                          reinterpret_cast<const char*>(day)};
  const int lengths[] = {4, 8, 8, 1, 4, 8, 4};
  const int formats[] = {1, 1, 1, 1, 1, 1, 1};
  pg_result r(
      PQexecParams(c.get(), "ECHO $1, $2, $3, $4, $5, $6, $7", 7, types, values, lengths, formats, 1));
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(r.get());
  ASSERT_EQ(PQfformat(r.get(), 0), 1);
  auto bytes = [&](int col) { return reinterpret_cast<const std::byte*>(PQgetvalue(r.get(), 0, col)); };
  EXPECT_EQ(PQgetlength(r.get(), 0, 0), 8);  // an int4 parameter comes back as the engine's bigint
  EXPECT_EQ(load_be<std::int64_t>(bytes(0)), -7);
  EXPECT_EQ(load_be<std::int64_t>(bytes(1)), 1LL << 40);
  EXPECT_EQ(std::bit_cast<double>(load_be<std::uint64_t>(bytes(2))), 2.25);
  EXPECT_EQ(PQgetlength(r.get(), 0, 3), 1);
  EXPECT_EQ(*PQgetvalue(r.get(), 0, 3), 1);
  EXPECT_EQ(std::string(PQgetvalue(r.get(), 0, 4), PQgetlength(r.get(), 0, 4)), "text");
  EXPECT_EQ(load_be<std::int64_t>(bytes(5)), 86'400'000'000LL);
  EXPECT_EQ(load_be<std::int32_t>(bytes(6)), -1);
}

TEST_F(LibpqTest, BinaryResultsOfEveryType) {
  auto c = connect();
  pg_result r(PQexecParams(c.get(), "SELECT types", 0, nullptr, nullptr, nullptr, nullptr, 1));
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(r.get());
  auto bytes = [&](int col) { return reinterpret_cast<const std::byte*>(PQgetvalue(r.get(), 0, col)); };
  EXPECT_EQ(*PQgetvalue(r.get(), 0, 0), 1);
  EXPECT_EQ(load_be<std::int64_t>(bytes(1)), -42);
  EXPECT_EQ(std::bit_cast<double>(load_be<std::uint64_t>(bytes(2))), 1.5);
  EXPECT_EQ(load_be<std::int64_t>(bytes(4)), 1);                     // 2000-01-01 00:00:00.000001
  EXPECT_EQ(load_be<std::int64_t>(bytes(5)), -946'684'800'000'000);  // 1970-01-01
  EXPECT_EQ(load_be<std::int32_t>(bytes(6)), 1);                     // 2000-01-02
  ASSERT_EQ(PQgetlength(r.get(), 0, 7), 16);
  EXPECT_EQ(load_be<std::int64_t>(bytes(7)), 3'000'000);
  EXPECT_EQ(load_be<std::int32_t>(bytes(7) + 8), 2);
  EXPECT_EQ(load_be<std::int32_t>(bytes(7) + 12), 1);
  EXPECT_EQ(std::string(PQgetvalue(r.get(), 0, 8), PQgetlength(r.get(), 0, 8)), "\x01{\"a\": 1}");
  EXPECT_TRUE(PQgetisnull(r.get(), 0, 9));
}

TEST_F(LibpqTest, PreparedStatementsAreDescribedAndReused) {
  auto c = connect();
  const Oid types[] = {20};
  pg_result prepared(PQprepare(c.get(), "echo_two", "ECHO $1, $2", 1, types));
  ASSERT_EQ(PQresultStatus(prepared.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(prepared.get());
  pg_result described(PQdescribePrepared(c.get(), "echo_two"));
  ASSERT_EQ(PQresultStatus(described.get()), PGRES_COMMAND_OK);
  EXPECT_EQ(PQnparams(described.get()), 2);
  EXPECT_EQ(PQparamtype(described.get(), 0), 20u);
  EXPECT_EQ(PQparamtype(described.get(), 1), 25u);  // undeclared: the engine resolved it to text
  EXPECT_EQ(PQnfields(described.get()), 2);
  EXPECT_STREQ(PQfname(described.get(), 0), "p1");
  for (int i = 0; i < 3; ++i) {
    auto n = std::to_string(i);
    const char* values[] = {n.c_str(), "x"};
    pg_result r(PQexecPrepared(c.get(), "echo_two", 2, values, nullptr, nullptr, 0));
    ASSERT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(r.get());
    EXPECT_EQ(PQgetvalue(r.get(), 0, 0), n);
  }
  pg_result again(PQprepare(c.get(), "echo_two", "ECHO $1", 0, nullptr));
  EXPECT_EQ(field(again.get(), PG_DIAG_SQLSTATE), "42P05");
  pg_result missing(PQexecPrepared(c.get(), "nope", 0, nullptr, nullptr, nullptr, 0));
  EXPECT_EQ(field(missing.get(), PG_DIAG_SQLSTATE), "26000");
}

TEST_F(LibpqTest, PrepareErrorCarriesSqlstateAndPosition) {
  auto c = connect();
  pg_result r(PQprepare(c.get(), "", "  SELECT nope", 0, nullptr));
  EXPECT_EQ(PQresultStatus(r.get()), PGRES_FATAL_ERROR);
  EXPECT_EQ(field(r.get(), PG_DIAG_SQLSTATE), "42703");
  EXPECT_EQ(field(r.get(), PG_DIAG_STATEMENT_POSITION), "10");
}

TEST_F(LibpqTest, BadTextParameterIsAnErrorAndTheConnectionGoesOn) {
  auto c = connect();
  const Oid types[] = {20};
  const char* values[] = {"forty-two"};
  pg_result r(PQexecParams(c.get(), "ECHO $1", 1, types, values, nullptr, nullptr, 0));
  EXPECT_EQ(field(r.get(), PG_DIAG_SQLSTATE), "22P02");
  EXPECT_STREQ(PQgetvalue(exec(c.get(), "SELECT 5").get(), 0, 0), "5");
}

TEST_F(LibpqTest, SingleRowMode) {
  auto c = connect();
  ASSERT_TRUE(PQsendQueryParams(c.get(), "SELECT series 3", 0, nullptr, nullptr, nullptr, nullptr, 0));
  ASSERT_TRUE(PQsetSingleRowMode(c.get()));
  std::vector<std::string> rows;
  for (;;) {
    pg_result r(PQgetResult(c.get()));
    ASSERT_NE(r, nullptr);
    if (PQresultStatus(r.get()) == PGRES_TUPLES_OK) break;  // the final, empty result
    ASSERT_EQ(PQresultStatus(r.get()), PGRES_SINGLE_TUPLE);
    rows.emplace_back(PQgetvalue(r.get(), 0, 0));
  }
  EXPECT_EQ(PQgetResult(c.get()), nullptr);
  EXPECT_EQ(rows, (std::vector<std::string>{"1", "2", "3"}));
}

TEST_F(LibpqTest, PipelineStopsAtTheFirstErrorUntilSync) {
  auto c = connect();
  ASSERT_TRUE(PQenterPipelineMode(c.get()));
  ASSERT_TRUE(PQsendQueryParams(c.get(), "SELECT 1", 0, nullptr, nullptr, nullptr, nullptr, 0));
  ASSERT_TRUE(PQsendQueryParams(c.get(), "SELECT nope", 0, nullptr, nullptr, nullptr, nullptr, 0));
  ASSERT_TRUE(PQsendQueryParams(c.get(), "SELECT 3", 0, nullptr, nullptr, nullptr, nullptr, 0));
  ASSERT_TRUE(PQpipelineSync(c.get()));
  ASSERT_TRUE(PQsendQueryParams(c.get(), "SELECT 4", 0, nullptr, nullptr, nullptr, nullptr, 0));
  ASSERT_TRUE(PQpipelineSync(c.get()));
  auto next_status = [&] {
    pg_result r(PQgetResult(c.get()));
    auto status = PQresultStatus(r.get());
    if (status != PGRES_PIPELINE_SYNC) {
      EXPECT_EQ(PQgetResult(c.get()), nullptr);  // the end of this query's results
    }
    return status;
  };
  EXPECT_EQ(next_status(), PGRES_TUPLES_OK);
  EXPECT_EQ(next_status(), PGRES_FATAL_ERROR);
  EXPECT_EQ(next_status(), PGRES_PIPELINE_ABORTED);
  EXPECT_EQ(next_status(), PGRES_PIPELINE_SYNC);
  EXPECT_EQ(next_status(), PGRES_TUPLES_OK);  // after Sync the next batch runs
  EXPECT_EQ(next_status(), PGRES_PIPELINE_SYNC);
  EXPECT_TRUE(PQexitPipelineMode(c.get()));
}

TEST_F(LibpqTest, ASlowQueryDoesNotStallOtherConnectionsOnItsLoop) {
  auto slow_gate = std::make_shared<testing::gate>();
  server_.reset();
  start(testing::canned_sessions(slow_gate));  // one event loop: both connections share it
  auto slow = connect();
  auto fast = connect();
  ASSERT_TRUE(PQsendQuery(slow.get(), "SELECT wait"));
  slow_gate->entered.wait();  // the slow query is running on the query pool
  EXPECT_STREQ(PQgetvalue(exec(fast.get(), "SELECT 2").get(), 0, 0), "2");
  slow_gate->open.set_value();
  pg_result r(PQgetResult(slow.get()));
  EXPECT_STREQ(PQgetvalue(r.get(), 0, 0), "1");
  EXPECT_EQ(PQgetResult(slow.get()), nullptr);
}

TEST_F(LibpqTest, ClientsPastMaxConnectionsAreRefusedWith53300) {
  auto o = options();
  o.max_connections = 1;
  server_.reset();
  start(testing::canned_sessions(), o);
  auto first = connect();
  auto info = "host=127.0.0.1 port=" + std::to_string(server_->local_port()) + " user=t";
  pg_conn second(PQconnectdb(info.c_str()));
  EXPECT_EQ(PQstatus(second.get()), CONNECTION_BAD);
  EXPECT_NE(std::string(PQerrorMessage(second.get())).find("sorry, too many clients already"),
            std::string::npos)
      << PQerrorMessage(second.get());
  EXPECT_STREQ(PQgetvalue(exec(first.get(), "SELECT 1").get(), 0, 0), "1");
}

TEST_F(LibpqTest, EngineExceptionClosesOnlyThatConnection) {
  auto bystander = connect();
  auto c = connect();
  auto r = exec(c.get(), "SELECT boom");
  EXPECT_EQ(PQresultStatus(r.get()), PGRES_FATAL_ERROR);
  // libpq reports the lost connection; the server's FATAL (checked field by field in the raw-socket
  // test) is in the connection's message.
  EXPECT_NE(std::string(PQerrorMessage(c.get())).find("FATAL:  internal error"), std::string::npos)
      << PQerrorMessage(c.get());
  EXPECT_EQ(PQstatus(c.get()), CONNECTION_BAD);
  EXPECT_STREQ(PQgetvalue(exec(bystander.get(), "SELECT 8").get(), 0, 0), "8");
  EXPECT_STREQ(PQgetvalue(exec(connect().get(), "SELECT 9").get(), 0, 0), "9");
}

}  // namespace
}  // namespace sluice::pgwire
