"""The players module's write paths as SQL functions (players/sql/): one implementation for every caller.

``players.services.rg.rg_usage_record`` and ``players.services.timeline.timeline_record`` call them, and so
do the wallet's one-statement fast path functions (games/sql/), which cannot call Python.
"""

from django.db import migrations

from backoffice.sqlfunctions import InstallSQLFunctions


class Migration(migrations.Migration):
    dependencies = [("players", "0004_kyc_vip_labels")]

    operations = [InstallSQLFunctions("players")]  # players_rg_usage_record, players_timeline_record
