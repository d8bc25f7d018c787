"""Reads bench/nexmark/queries/*.sql for bench/run-nexmark.sh and its helpers. Each qN.sql holds
one CREATE MATERIALIZED VIEW qN statement, a `-- totals: SELECT …` line (the figures compared with the
batch answer, computed over the view), and optionally a `-- duckdb:` block (commented lines to the end
of the file): the same query for DuckDB where Sluice's TUMBLE/HOP must be spelled out, keeping only
the windows the final watermark closed. Without it DuckDB runs the view's own SELECT.

    nexmark_queries.py json [LIST]     the queries as JSON: {"q0": {"create", "select", "totals", "duckdb"}}
    nexmark_queries.py field qN NAME   one field of one query, as text"""

import json
import os
import re
import sys

DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nexmark", "queries")


def parse(name):
    text = open(os.path.join(DIR, f"{name}.sql")).read()
    code, totals, duckdb, in_duckdb = [], None, [], False
    for line in text.splitlines():
        if in_duckdb:
            duckdb.append(line[3:] if line.startswith("-- ") else line.lstrip("-"))
        elif line.startswith("-- totals:"):
            totals = line.split(":", 1)[1].strip()
        elif line.startswith("-- duckdb:"):
            in_duckdb = True
        elif not line.startswith("--"):
            code.append(line)
    create = "\n".join(code).strip().rstrip(";")
    m = re.match(r"CREATE MATERIALIZED VIEW (\w+) AS\s+(.*)", create, re.S)
    if not m or m.group(1) != name or not totals:
        sys.exit(f"{name}.sql: need 'CREATE MATERIALIZED VIEW {name} AS …' and a '-- totals:' line")
    select = m.group(2)
    return {"create": create, "select": select, "totals": totals,
            "duckdb": "\n".join(duckdb).strip() or select, "title": text.splitlines()[0].lstrip("- ")}


def all_names():
    names = [f[:-4] for f in os.listdir(DIR) if re.fullmatch(r"q\d+\.sql", f)]
    return sorted(names, key=lambda n: int(n[1:]))


def main():
    if sys.argv[1] == "json":
        names = sys.argv[2].split(",") if len(sys.argv) > 2 and sys.argv[2] else all_names()
        json.dump({n: parse(n) for n in names}, sys.stdout, indent=1)
    elif sys.argv[1] == "field":
        print(parse(sys.argv[2])[sys.argv[3]])
    elif sys.argv[1] == "names":
        print(",".join(all_names()))


if __name__ == "__main__":
    main()
