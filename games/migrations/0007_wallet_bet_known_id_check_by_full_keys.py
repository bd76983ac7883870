"""``games_wallet_bet``: the "is this transaction id known?" check as two lookups by their full index keys.

The check was one condition, ``provider_id = p AND (tx_ref = t OR (kind = 'rollback' AND ref_tx = t AND
ref_tx <> ''))``. With statistics of a (nearly) empty table, a new installation's, the generic plan read every
wallet transaction of the provider through the unique index's first column and filtered them (seen on a fresh
copy of the benchmark database before its first ANALYZE: 3,000 of 3,000 rows read per bet, 0.43 ms; the check was
the costliest statement of a bet until the table was analyzed again). Two EXISTS, one per index, each use their
index's whole key whatever the statistics: 0.03 ms. Same answer; the body is 0005's with that condition split.
``tests/games/test_wallet_fast_path.py`` counts the rows the fast path reads from that table on such statistics.

``CREATE OR REPLACE FUNCTION`` resets the function's settings: 0006's are set again.
"""

from importlib import import_module

from django.db import migrations

_PREVIOUS = import_module("games.migrations.0005_wallet_bet_generic_plan").BET
_SIGNATURE = import_module("games.migrations.0006_wallet_functions_plans_without_statistics").SIGNATURES[0]
_CONDITION = """EXISTS (SELECT 1 FROM games_wallettransaction wt WHERE wt.provider_id = p_provider
                  AND (wt.tx_ref = p_tx OR (wt.kind = 'rollback' AND wt.ref_tx = p_tx AND wt.ref_tx <> '')))"""
assert _PREVIOUS.count(_CONDITION) == 1

_SPLIT = """EXISTS (SELECT 1 FROM games_wallettransaction wt WHERE wt.provider_id = p_provider AND wt.tx_ref = p_tx)
       OR EXISTS (SELECT 1 FROM games_wallettransaction wt WHERE wt.provider_id = p_provider AND wt.kind = 'rollback'
                  AND wt.ref_tx = p_tx AND wt.ref_tx <> '')"""
_SETTINGS = f"ALTER FUNCTION {_SIGNATURE} SET plan_cache_mode = force_generic_plan SET enable_seqscan = off;\n"

BET = _PREVIOUS.replace(_CONDITION, _SPLIT) + _SETTINGS
REVERSE = _PREVIOUS + _SETTINGS


class Migration(migrations.Migration):
    dependencies = [("games", "0006_wallet_functions_plans_without_statistics")]

    operations = [migrations.RunSQL(BET, REVERSE)]
