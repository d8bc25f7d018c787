"""psql's describe commands (\\l, \\dt, \\dv, \\dm, \\dn, \\d, \\d NAME) against `sluice serve`: psql
sends ordinary SQL over pg_catalog, which the server answers from its own catalog.

One server for the module, with a source, a table (with a primary key) and a materialized view.
"""

import os
import subprocess

import pytest

TIMEOUT_S = 30


def psql(server, *args):
    env = dict(os.environ, PGCONNECT_TIMEOUT="10", PGSSLMODE="disable")
    cmd = ["psql", "-h", server.host, "-p", str(server.pg_port), "-U", "tester", "-d", "sluice",
           "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=TIMEOUT_S)


def rows(result):
    assert result.returncode == 0, result.stderr
    return [line.split("|") for line in result.stdout.splitlines() if line]


@pytest.fixture(scope="module")
def catalog(server):
    for statement in [
        "CREATE SOURCE clicks (user_id bigint, url text, ts timestamptz) "
        "WITH (topic = 'clicks', format = 'json')",
        "CREATE TABLE users (id bigint, name text, PRIMARY KEY (id)) WITH (topic = 'users', format = 'json')",
        "CREATE MATERIALIZED VIEW clicks_per_user AS SELECT user_id, count(*) AS n FROM clicks GROUP BY user_id",
    ]:
        r = psql(server, "-c", statement)
        assert r.returncode == 0, r.stderr
    return server


def test_backslash_d_lists_every_relation(catalog):
    assert rows(psql(catalog, "-c", r"\d")) == [
        ["public", "clicks", "table", "sluice"],
        ["public", "clicks_per_user", "materialized view", "sluice"],
        ["public", "users", "table", "sluice"],
    ]


def test_backslash_dt_lists_sources_and_tables(catalog):
    assert rows(psql(catalog, "-c", r"\dt")) == [
        ["public", "clicks", "table", "sluice"],
        ["public", "users", "table", "sluice"],
    ]


def test_backslash_dt_with_a_pattern(catalog):
    assert rows(psql(catalog, "-c", r"\dt u*")) == [["public", "users", "table", "sluice"]]
    assert rows(psql(catalog, "-c", r"\dt public.c*")) == [["public", "clicks", "table", "sluice"]]


def test_backslash_dt_plus_leaves_the_size_empty(catalog):
    # Sizes are unknown by oid (NULL); persistence and access method are as for a Postgres heap table.
    assert rows(psql(catalog, "-c", r"\dt+ users")) == [
        ["public", "users", "table", "sluice", "permanent", "heap", "", ""]]


def test_backslash_df_finds_no_user_functions(catalog):
    assert rows(psql(catalog, "-c", r"\df")) == []


def test_backslash_dm_lists_materialized_views(catalog):
    assert rows(psql(catalog, "-c", r"\dm")) == [["public", "clicks_per_user", "materialized view", "sluice"]]


def test_backslash_dv_finds_no_plain_views(catalog):
    r = psql(catalog, "-c", r"\dv")
    assert r.returncode == 0, r.stderr
    assert "Did not find any relation" in r.stderr + r.stdout


def test_backslash_dn_lists_the_public_schema(catalog):
    assert rows(psql(catalog, "-c", r"\dn")) == [["public", "sluice"]]


def test_backslash_l_lists_the_database(catalog):
    [db] = rows(psql(catalog, "-c", r"\l"))
    assert db[:5] == ["sluice", "sluice", "UTF8", "C", "C"]


def test_backslash_dtS_and_dvS_list_the_catalogs_themselves(catalog):
    tables = {r[1] for r in rows(psql(catalog, "-c", r"\dtS pg_catalog.*"))}
    assert {"pg_class", "pg_attribute", "pg_namespace", "pg_type"} <= tables
    assert rows(psql(catalog, "-c", r"\dvS pg_catalog.pg_r*")) == [["pg_catalog", "pg_roles", "view", "sluice"]]


def test_the_queries_behind_backslash_d_name_that_need_no_subqueries(catalog):
    # The first two of \d NAME's queries, as psql 15 sends them: find the relation, read its flags.
    [[oid, schema, name]] = rows(psql(catalog, "-c", """
        SELECT c.oid, n.nspname, c.relname
        FROM pg_catalog.pg_class c
             LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relname OPERATOR(pg_catalog.~) '^(users)$' COLLATE pg_catalog.default
          AND pg_catalog.pg_table_is_visible(c.oid)
        ORDER BY 2, 3;"""))
    assert (schema, name) == ("public", "users") and int(oid) >= 16384
    [info] = rows(psql(catalog, "-c", f"""
        SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, c.relrowsecurity,
               c.relforcerowsecurity, false AS relhasoids, c.relispartition, '', c.reltablespace,
               CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END,
               c.relpersistence, c.relreplident, am.amname
        FROM pg_catalog.pg_class c
         LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid)
        LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid)
        WHERE c.oid = '{oid}';"""))
    assert info == ["0", "r", "f", "f", "f", "f", "f", "f", "f", "", "0", "", "p", "d", "heap"]


def test_columns_with_the_type_names_psql_prints(catalog):
    assert rows(psql(catalog, "-c", """
        SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull
        FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        WHERE c.relname = 'clicks' AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum""")) == [
        ["user_id", "bigint", "f"],
        ["url", "text", "f"],
        ["ts", "timestamp with time zone", "f"],
    ]


# psql 15's \d NAME runs, after the two queries above: the column query (correlated scalar
# subqueries over pg_attrdef and pg_collation), then for a table or materialized view the policy
# query (ARRAY(SELECT ...) and = ANY over an array column), the statistics-object query (= ANY over
# an array column, ::regnamespace) and the publication query (generate_series in FROM reading an
# outer column, int2[], subscripts, a scalar subquery).
def test_backslash_d_name_describes_columns(catalog):
    r = psql(catalog, "-c", r"\d users")
    assert r.returncode == 0, r.stderr
    assert "id" in r.stdout and "bigint" in r.stdout and "not null" in r.stdout


def test_backslash_du_lists_the_role(catalog):
    # \du reads each role's memberships with ARRAY(SELECT … FROM pg_auth_members …).
    [role] = rows(psql(catalog, "-c", r"\du"))
    assert role[0] == "sluice" and "Superuser" in role[1]
