"""The jurisdictions' through table becomes an explicit model (``GameJurisdiction``) so that it has a
scoped manager like every model. The table already exists: only the state changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("games", "0005_bonus_wagering"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="GameJurisdiction",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("game", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="games.game")),
                        ("jurisdiction", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                           to="games.jurisdiction")),
                    ],
                    options={"db_table": "games_game_jurisdictions",
                             "unique_together": {("game", "jurisdiction")}},
                ),
                migrations.AlterField(
                    model_name="game",
                    name="jurisdictions",
                    field=models.ManyToManyField(blank=True, related_name="games", through="games.GameJurisdiction",
                                                 to="games.jurisdiction"),
                ),
            ],
            database_operations=[],
        ),
    ]
