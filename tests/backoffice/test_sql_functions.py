"""The database's functions are the files ``<app>/sql/<function>.sql``, and nothing else defines one.

backoffice/sqlfunctions.py installs the files (a migration operation per app, and a sync after every migrate).
Here: every function of the schema has its file and is exactly what the file creates (arguments, body, SET
clauses), each file creates the one function it is named after, no migration carries a function body, and an
install drops the signatures a file no longer defines.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from backoffice import sqlfunctions


def _files() -> list[Path]:
    return [path for files in sqlfunctions.all_sql_files().values() for path in files]


@pytest.fixture
def created(db):
    return sqlfunctions.functions_of_files(connection, _files())


def test_each_file_creates_the_one_function_it_is_named_after(created):
    assert created, "no function files found"
    for path, functions in created.items():
        assert {name for name, _args in functions} == {path.stem}, path
        assert len(functions) == 1, f"{path} creates overloads: {sorted(functions)}"
        assert path.stem.startswith(f"{path.parent.parent.name}_"), f"{path}: name it <app>_<function>"


def test_the_database_functions_are_the_files(created):
    in_files = {sig: definition for functions in created.values() for sig, definition in functions.items()}
    in_db = sqlfunctions.functions_in(connection)
    assert sorted(in_db.keys() - in_files.keys()) == [], "functions in the database without a file"
    assert sorted(in_files.keys() - in_db.keys()) == [], "files whose function is not in the database"
    drifted = sorted(name for (name, args), definition in in_db.items() if in_files[(name, args)] != definition)
    assert drifted == [], "the database's definition differs from the file"


def test_a_changed_function_is_seen_as_drift(created):
    """The comparison above notices a body or a setting that differs from the file."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER FUNCTION cashier_entry_check_balanced() RESET enable_seqscan")
    in_db = sqlfunctions.functions_in(connection)
    in_files = {sig: d for functions in created.values() for sig, d in functions.items()}
    assert in_db[("cashier_entry_check_balanced", "")] != in_files[("cashier_entry_check_balanced", "")]


def test_install_drops_old_signatures_and_deleted_functions(db):
    with connection.cursor() as cursor:  # an overload left by an earlier signature, and a function without file
        cursor.execute("CREATE FUNCTION players_rg_usage_record(p_player integer) RETURNS void "
                       "LANGUAGE sql AS 'SELECT'")
        cursor.execute("CREATE FUNCTION players_gone() RETURNS int LANGUAGE sql AS 'SELECT 1'")
    dropped = sqlfunctions.install(connection, sqlfunctions.app_sql_files("players"), prune_prefix="players_")
    assert dropped == ["players_gone()", "players_rg_usage_record(p_player integer)"]
    names = {name for name, _args in sqlfunctions.functions_in(connection)}
    assert {"players_rg_usage_record", "players_timeline_record"} <= names and "players_gone" not in names


def test_no_migration_carries_a_function_body():
    """Function text lives in the files only: migrations install them with InstallSQLFunctions."""
    pattern = re.compile(r"\b(CREATE\s+(OR\s+REPLACE\s+)?FUNCTION|ALTER\s+FUNCTION)\b", re.IGNORECASE)
    root = Path(settings.BASE_DIR)
    offenders = [str(path.relative_to(root)) for path in root.glob("*/migrations/*.py")
                 if pattern.search(path.read_text())]
    assert offenders == []
