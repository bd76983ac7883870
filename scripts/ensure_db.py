"""Create the database named by DATABASE_URL if it does not exist yet (the server must be running)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import psycopg
from psycopg import sql

from backoffice.env import env

cfg = env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/backoffice")
name = cfg["NAME"]
conninfo = {k: v for k, v in {"host": cfg.get("HOST"), "port": cfg.get("PORT") or None, "user": cfg.get("USER"),
                              "password": cfg.get("PASSWORD") or None, "dbname": "postgres"}.items() if v}
with psycopg.connect(**conninfo, autocommit=True) as conn:
    if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"Created database {name}.")
