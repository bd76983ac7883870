"""The wallet's fast path: bet, win and rollback as one server-side call each (games/sql/games_wallet_*.sql).

Why: a bet through the Python service took ~20 statements and most of its time in Python (ORM, round trips);
the wallet API must serve hundreds of calls per second per core. The functions do the common case of the
operation in one statement and answer ``fallback`` for anything else (docs/architecture.md, "The wallet hot
path"). They call the ledger's ``cashier_post`` and the players module's ``players_rg_usage_record`` and
``players_timeline_record``.
"""

from django.db import migrations

from backoffice.sqlfunctions import InstallSQLFunctions


class Migration(migrations.Migration):
    dependencies = [
        ("games", "0002_rtp_two_decimals"),
        ("cashier", "0002_ledger_functions_and_triggers"),
        ("players", "0005_usage_and_timeline_functions"),
    ]

    operations = [InstallSQLFunctions("games")]
