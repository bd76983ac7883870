"""The deferred zero-sum check plans as ``cashier_post()`` does: one generic plan, no sequential scans.

The check's aggregate over a transaction's entries (0015) was planned again at every commit. Under plpgsql's
default choice a statement keeps its generic plan only when that plan does not look costlier than the custom
ones; with a live ledger's statistics (a few batch transactions with hundreds of entries, most with two) the
generic estimate for ``transaction_id = $1`` is larger than the estimate for any one new transaction, so
every posting paid a planner run at commit: 5.6% of the server's CPU per wallet call in the planner (perf, the
wallet benchmark's database), ~0.14 ms per commit; PostgreSQL CPU per call fell 13.6% with this change. The statement reads one transaction's entries through the
``transaction_id`` index whatever the value: ``force_generic_plan`` plans it once per connection, and
``enable_seqscan = off`` keeps that plan an index plan on a table analyzed while small. The body is unchanged.
The SET clauses cost a save and restore of two settings per trigger call (one per entry), a few microseconds.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cashier", "0016_reverses_partial_unique")]

    operations = [migrations.RunSQL(
        "ALTER FUNCTION cashier_entry_check_balanced() SET plan_cache_mode = force_generic_plan "
        "SET enable_seqscan = off",
        "ALTER FUNCTION cashier_entry_check_balanced() RESET plan_cache_mode RESET enable_seqscan")]
