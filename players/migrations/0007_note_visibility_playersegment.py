"""Notes carry a visibility (staff-only notes are never shown to agents); the tag memberships' through
table becomes an explicit model (``PlayerSegment``) so that it has a scoped manager like every model.

The through table already exists (Django created it for the implicit model): only the state changes.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("players", "0006_timeline_actor_partial_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="note",
            name="visibility",
            field=models.CharField(choices=[("all", "Operator staff and agents"), ("staff", "Operator staff only")],
                                   default="all", help_text="Staff-only notes are never shown to agents.",
                                   max_length=8),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PlayerSegment",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("player", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                     to="players.player")),
                        ("segment", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                      to="players.segment")),
                    ],
                    options={"db_table": "players_player_segments", "unique_together": {("player", "segment")}},
                ),
                migrations.AlterField(
                    model_name="player",
                    name="segments",
                    field=models.ManyToManyField(blank=True, limit_choices_to={"kind": "static"},
                                                 related_name="static_members", through="players.PlayerSegment",
                                                 to="players.segment"),
                ),
            ],
            database_operations=[],
        ),
    ]
