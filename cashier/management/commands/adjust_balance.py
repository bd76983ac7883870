from django.core.management.base import BaseCommand, CommandError

from backoffice.exceptions import ApplicationError
from backoffice.money import format_money
from backoffice.services import ops_actor_label
from cashier.choices import AdjustmentReason, AdjustmentStatus
from cashier.services import adjustment_limits, adjustment_request, player_balances
from players.models import Player


class Command(BaseCommand):
    help = ("Credit (positive amount) or debit (negative) a player's cash wallet, audited. Never below zero. "
            "The currency's adjustment limits apply: above the ceiling it is refused; above the four-eyes "
            "threshold it is recorded as pending and posts when a person approves it in the back office. "
            "No confirmation prompt: the command line states the amount and is kept in the audit log.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("amount", help="In the player's currency, e.g. 25.00 or -10")
        parser.add_argument("--reason", required=True, help="Why (kept in the audit log and the timeline).")
        parser.add_argument("--code", default=AdjustmentReason.TESTING, choices=AdjustmentReason.values,
                            help="Reason code (default: testing).")
        parser.add_argument("--key", default="", help="Idempotency key: a retried command with it posts once.")

    def handle(self, *args, **opts):
        player = Player.objects.filter(username=opts["username"]).first()
        if player is None:
            raise CommandError(f"No player named {opts['username']!r}.")
        try:
            adjustment = adjustment_request(player=player, amount=opts["amount"], reason_code=opts["code"],
                                            reason=opts["reason"], actor_label=ops_actor_label(),
                                            idempotency_key=opts["key"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        if adjustment.status == AdjustmentStatus.PENDING:
            limit = format_money(adjustment_limits(currency=player.currency).four_eyes_above, player.currency)
            self.stdout.write(self.style.WARNING(
                f"{adjustment.summary}: above the four-eyes threshold ({limit}), recorded as pending "
                f"(adjustment {adjustment.pk}). Nothing is posted until a person with the permission approves it "
                f"in the back office (Cashier > Adjustments)."))
            return
        cash = format_money(player_balances(player=player)["cash"], player.currency)
        self.stdout.write(self.style.SUCCESS(f"Posted transaction {adjustment.transaction_id}; "
                                             f"{player.username}'s cash: {cash}."))
