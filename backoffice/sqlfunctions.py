"""The project's PostgreSQL functions: one file each, installed by one mechanism.

Every function of the product lives in ``<app>/sql/<function>.sql``: one ``CREATE OR REPLACE FUNCTION`` with its
``SET`` clauses (``plan_cache_mode``, ``enable_seqscan``), named like the file. That file is the current text:
nothing else creates, alters or patches a function.

:func:`install` reads an app's files and runs them, then drops the signatures of the same names that the files
no longer define (``CREATE OR REPLACE`` with other arguments makes an overload and leaves the old one behind).
It runs at two points, the same code both times:

* the migration operation :class:`InstallSQLFunctions`, in each app's one functions migration, so that on a
  fresh database the functions exist before the triggers that call them are created;
* after every ``migrate`` (``post_migrate``, :func:`sync_after_migrate`), for each app whose functions are
  installed: an edited file reaches an existing database with no new migration, and a function whose file was
  deleted (its name starts with ``<app>_``) is dropped.

``tests/backoffice/test_sql_functions.py`` holds the database to the files: every function of the schema has
its file, and its definition (``pg_get_functiondef``: arguments, body, settings) is what the file creates.
"""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.db import connections, migrations, transaction

SCHEMA = "public"
_SCRATCH = "sqlfunctions_scratch"

# The product's functions in a schema: no extension's, no aggregates.
_FUNCTIONS = """
SELECT p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid)
  FROM pg_proc p
 WHERE p.pronamespace = %s::regnamespace AND p.prokind IN ('f', 'p')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                   AND d.deptype = 'e')
 ORDER BY 1, 2
"""

Signature = tuple[str, str]  # (name, identity arguments)


def app_sql_files(app_label: str) -> list[Path]:
    """The app's function files, ``<app>/sql/*.sql``, sorted by name."""

    folder = Path(apps.get_app_config(app_label).path) / "sql"
    return sorted(folder.glob("*.sql")) if folder.is_dir() else []


def all_sql_files() -> dict[str, list[Path]]:
    """Every installed app's function files, by app label (apps without any left out)."""

    found = {config.label: app_sql_files(config.label) for config in apps.get_app_configs()}
    return {label: files for label, files in found.items() if files}


def functions_in(connection, schema: str = SCHEMA) -> dict[Signature, str]:
    """The product's functions in ``schema``: ``pg_get_functiondef`` by (name, identity arguments)."""
    with connection.cursor() as cursor:
        cursor.execute(_FUNCTIONS, [schema])
        return {(name, args): definition for name, args, definition in cursor.fetchall()}


def functions_of_files(connection, files: list[Path]) -> dict[Path, dict[Signature, str]]:
    """What each file creates, as :func:`functions_in` shows it, the schema name written as ``public``.

    The files run in a scratch schema placed first on the search path (their names are unqualified; the tables
    a SQL-language body names resolve in ``public``), inside a savepoint that is then rolled back.
    """
    result: dict[Path, dict[Signature, str]] = {}
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {_SCRATCH}")
            cursor.execute(f"SET LOCAL search_path TO {_SCRATCH}, {SCHEMA}")
            seen: set[Signature] = set()
            for path in files:
                cursor.execute(path.read_text())
                now = functions_in(connection, _SCRATCH)
                result[path] = {sig: now[sig].replace(f"FUNCTION {_SCRATCH}.", f"FUNCTION {SCHEMA}.", 1)
                                for sig in now.keys() - seen}
                seen |= now.keys()
        transaction.set_rollback(True, using=connection.alias)
    return result


def install(connection, files: list[Path], *, prune_prefix: str | None = None) -> list[str]:
    """Run ``files`` in ``public``; drop the signatures they no longer define. Returns the dropped signatures.

    Dropped: overloads of a name a file defines, and with ``prune_prefix`` any function named ``<prefix>...``
    that no file defines (a deleted file). A function still used by a trigger is not dropped silently: the
    ``DROP`` fails, as it should.
    """
    declared = {sig for created in functions_of_files(connection, files).values() for sig in created}
    names = {name for name, _args in declared}
    with connection.cursor() as cursor:
        for path in files:
            cursor.execute(path.read_text())
        dropped = []
        for name, args in sorted(functions_in(connection)):
            stale = name in names or (prune_prefix is not None and name.startswith(prune_prefix))
            if stale and (name, args) not in declared:
                cursor.execute(f'DROP FUNCTION {SCHEMA}."{name}"({args})')
                dropped.append(f"{name}({args})")
    return dropped


class InstallSQLFunctions(migrations.operations.base.Operation):
    """Migration operation: install the app's ``<app>/sql/*.sql`` (:func:`install`); backwards, drop them.

    The files are read when the migration runs: a fresh database gets their current text. Put the operation
    before the ``RunSQL`` that creates the triggers calling these functions.
    """

    reduces_to_sql = False
    reversible = True

    def __init__(self, app_label: str):
        self.app_label = app_label

    def deconstruct(self):
        return self.__class__.__name__, [self.app_label], {}

    def state_forwards(self, app_label, state):
        pass  # functions are not part of Django's model state

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        install(schema_editor.connection, app_sql_files(self.app_label))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        connection = schema_editor.connection
        created = functions_of_files(connection, app_sql_files(self.app_label))
        with connection.cursor() as cursor:
            for name, args in sorted(sig for sigs in created.values() for sig in sigs):
                cursor.execute(f'DROP FUNCTION IF EXISTS {SCHEMA}."{name}"({args})')

    def describe(self):
        return f"Install the SQL functions of {self.app_label}/sql/"


def sync_after_migrate(sender, using="default", **kwargs) -> None:
    """``post_migrate`` (once, for the backoffice app): re-install the files of every app whose functions exist.

    An app none of whose functions is installed (its functions migration not applied, or unapplied) is left
    alone.
    """
    if sender.name != "backoffice":
        return

    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    present = {name for name, _args in functions_in(connection)}
    with transaction.atomic(using=using):
        for label, files in all_sql_files().items():
            if present & {path.stem for path in files}:
                install(connection, files, prune_prefix=f"{label}_")
