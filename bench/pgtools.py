"""Helpers shared by the benchmarks: progress output, scratch databases, the pgbench baseline."""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def log(msg: str) -> None:
    print(msg, flush=True)


def ensure_database(server: str, name: str) -> None:
    """Create database ``name`` on ``server`` (a postgres:// URL without a database) if it is missing."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def template_key(script: str, *parts: object) -> str:
    """What a bench template is built from: the bench ``script`` (its path: the whole file), every migration of the
    project, the pinned dependencies (their migrations) and ``parts`` (the sizes asked for). A template whose key
    differs is built again."""
    digest = hashlib.sha256(repr(parts).encode())
    for path in [Path(script), ROOT / "constraints.txt", *sorted(ROOT.glob("*/migrations/0*.py"))]:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:20]


_BENCH_NAME = re.compile(r"[a-z0-9_]*bench[a-z0-9_]*")


def bench_database(url_or_name: str) -> str:
    """The database name of a postgres:// URL (or a bare name), refused unless it is a plain bench name: the
    benchmarks drop, truncate and bulk-load their databases, so an exported DATABASE_URL must never point them at
    real data (a query string such as ``?application_name=bench`` does not make a name a bench name)."""
    name = urlsplit(url_or_name).path.lstrip("/") if "://" in url_or_name else url_or_name
    if not _BENCH_NAME.fullmatch(name):
        raise SystemExit(f"Refusing to run on database {name!r}: a bench database's name has only lower-case"
                         " letters, digits and underscores, and contains 'bench' (e.g. bo_bench_ledger).")
    return name


def copy_of_template(server: str, name: str, template: str, key: str, build: Callable[[str], None], *,
                     file_copy: bool = False) -> None:
    """Database ``name`` as a new copy of ``template``, so that every run starts from the same state (as pgbench's
    ``-i`` gives it): a database kept between runs grows by every run's writes, and its figures drift with it.

    ``build(url)`` fills the template when it is missing or was built from something else than ``key`` (kept as
    the template's comment); it runs in a forked child, which can set Django up on the template's URL.
    ``file_copy``: copy the files after a checkpoint (PostgreSQL's ``STRATEGY = FILE_COPY``) instead of through
    the WAL, for templates of gigabytes."""
    import psycopg

    bench_database(name), bench_database(template)  # dropped and created here
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                           [template]).fetchone()
        if row is None or row[0] != key:
            log(f"  building the template {template} (once per state of the migrations and sizes) …")
            conn.execute(f'DROP DATABASE IF EXISTS "{template}"')
            conn.execute(f'CREATE DATABASE "{template}"')
            child = mp.get_context("fork").Process(target=build, args=(f"{server}/{template}",))
            child.start()
            child.join()
            if child.exitcode:
                raise SystemExit(f"building the template {template} failed (exit code {child.exitcode})")
            conn.execute(f"COMMENT ON DATABASE \"{template}\" IS '{key}'")
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        strategy = " STRATEGY = FILE_COPY" if file_copy else ""
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}')


def checkpoint(server: str) -> None:
    """Before every timed phase or round (ours, pgbench's, hordak's alike): most of a posting's WAL is full-page
    images, written on a page's first change after a checkpoint, so a phase's place relative to the last
    checkpoint moved its figure by up to 2x between rounds of the same code."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute("CHECKPOINT")


def run_pgbench(server: str, seconds: int) -> float:
    """`pgbench -N` (simple-update), 8 clients: the machine's physical limit the benchmarks compare with."""
    ensure_database(server, "bo_bench_pgbench")
    url = f"{server}/bo_bench_pgbench"
    subprocess.run(["pgbench", "-i", "-q", "-s", "10", url], check=True, capture_output=True)
    checkpoint(server)
    out = subprocess.run(["pgbench", "-N", "-c", "8", "-j", "2", "-T", str(seconds), url], check=True,
                         capture_output=True, text=True).stdout
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def autoanalyze(url: str) -> list[str]:
    """ANALYZE every table that autovacuum's analyze rule would analyze now; returns their names.

    A live server has autovacuum on: a table is analyzed once more rows changed since its last ANALYZE than
    ``autovacuum_analyze_threshold + autovacuum_analyze_scale_factor * reltuples``, and the new statistics
    make every backend re-plan its cached statements on that table (the foreign-key checks' plans too). A
    bench database is new, its hot tables were empty when set-up analyzed them, and some servers (CI's, this
    workplace's) run with autovacuum off: the plans made while those tables were nearly empty (a sequential
    scan of one page) then stay for the connection's life while the tables grow. Measured on a fresh wallet
    bench database: the wallet transactions' check of ``games_round`` read 5,000 rows per call after a
    minute. The benchmarks apply the rule themselves before each timed phase.
    """
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        settings = dict(conn.execute("SELECT name, setting FROM pg_settings WHERE name IN "
                                     "('autovacuum_analyze_threshold', 'autovacuum_analyze_scale_factor')"))
        rows = conn.execute("""
            SELECT format('%%I.%%I', s.schemaname, s.relname) FROM pg_stat_user_tables s
              JOIN pg_class c ON c.oid = s.relid
             WHERE s.n_mod_since_analyze > %s + %s * greatest(c.reltuples, 0)""",
            [float(settings["autovacuum_analyze_threshold"]),
             float(settings["autovacuum_analyze_scale_factor"])]).fetchall()
        names = [name for (name,) in rows]
        for name in names:
            conn.execute(f"ANALYZE {name}")
    return names
