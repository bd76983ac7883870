"""Helpers shared by the benchmarks: progress output, scratch databases, the pgbench baseline."""

from __future__ import annotations

import re
import subprocess


def log(msg: str) -> None:
    print(msg, flush=True)


def ensure_database(server: str, name: str) -> None:
    """Create database ``name`` on ``server`` (a postgres:// URL without a database) if it is missing."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def run_pgbench(server: str, seconds: int) -> float:
    """`pgbench -N` (simple-update), 8 clients: the machine's physical limit the benchmarks compare with."""
    ensure_database(server, "bo_bench_pgbench")
    url = f"{server}/bo_bench_pgbench"
    subprocess.run(["pgbench", "-i", "-q", "-s", "10", url], check=True, capture_output=True)
    subprocess.run(["psql", url, "-qc", "CHECKPOINT"], check=True, capture_output=True)  # as before every timed round
    out = subprocess.run(["pgbench", "-N", "-c", "8", "-j", "2", "-T", str(seconds), url], check=True,
                         capture_output=True, text=True).stdout
    return float(re.search(r"tps = ([\d.]+)", out).group(1))
