"""The ledger: accounts, transactions and their entries (the design overview is in the package docstring)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from backoffice.kinds import kind_label
from backoffice.money import CurrencyField, MoneyField
from backoffice.querysets import ScopedManager
from cashier.choices import PLAYER_KINDS, AccountKind
from cashier.querysets import (
    AccountQuerySet,
    EntryQuerySet,
    LedgerTransactionQuerySet,
)


class Account(models.Model):
    """A ledger account in one currency; ``balance`` is the cached sum of its entries."""

    kind = models.CharField(max_length=32, choices=AccountKind.choices)
    currency = CurrencyField()
    player = models.ForeignKey("players.Player", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="accounts")
    shard = models.PositiveSmallIntegerField(default=0, help_text="System accounts: which row of the kind.")
    balance = MoneyField(default=0, editable=False)
    credit_limit = MoneyField(null=True, blank=True, default=0,
                              help_text="How far below zero the balance may go; empty means unlimited.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager.from_queryset(AccountQuerySet)()

    class Meta:
        ordering = ["id"]
        permissions = [("adjust_account", "Post manual balance adjustments")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credit_limit__isnull=True) | models.Q(balance__gte=-models.F("credit_limit")),
                name="account_balance_within_limit"),
            models.CheckConstraint(condition=models.Q(credit_limit__isnull=True) | models.Q(credit_limit__gte=0),
                                   name="account_credit_limit_gte_0"),
            models.CheckConstraint(
                condition=(models.Q(kind__in=PLAYER_KINDS, player__isnull=False, shard=0)
                           | (~models.Q(kind__in=PLAYER_KINDS) & models.Q(player__isnull=True))),
                name="account_owner_matches_kind"),
            models.UniqueConstraint(fields=["player", "kind"], condition=models.Q(player__isnull=False),
                                    name="account_player_kind_unique"),
            models.UniqueConstraint(fields=["kind", "currency", "shard"], condition=models.Q(player__isnull=True),
                                    name="account_system_shard_unique"),
        ]

    def __str__(self) -> str:
        owner = self.player.username if self.player_id else f"#{self.shard}"
        return f"{self.get_kind_display()} {owner} {self.currency}"

    def get_absolute_url(self) -> str:
        if self.player_id:
            return reverse("cashier:player_wallets", args=[self.player_id])
        return reverse("cashier:entry_list") + f"?account={self.pk}"


class LedgerTransaction(models.Model):
    """One business event posted to the ledger. Append-only; its entries sum to zero per currency."""

    # Unique through Meta.constraints, not unique=True: that would add a second (varchar_pattern_ops) index
    # for LIKE queries, and the key is only ever matched exactly. Same for ``reference``.
    idempotency_key = models.CharField(max_length=200)
    kind = models.CharField(max_length=64, db_index=True)  # both indexes used: "Type" filter (startswith), sort
    payload_hash = models.CharField(max_length=64, editable=False,
                                    help_text="SHA-256 of kind and lines: a replay must match it.")
    reference = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", db_index=False)  # one index fewer on the hottest insert
    integration = models.CharField(max_length=64, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    # At most one reversal per transaction (ledgertransaction_reverses_unique): a partial unique index, since a
    # plain one would take an entry for the NULL of every ordinary posting, on the hottest insert.
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals",
                                 db_index=False)
    # No index: the date filters compare created_at::date (an index on the column would not serve them) and
    # the list sorts "Time" by id (assigned in the same call as created_at).
    created_at = models.DateTimeField()

    objects = ScopedManager.from_queryset(LedgerTransactionQuerySet)()

    class Meta:
        ordering = ["-id"]
        verbose_name = "ledger transaction"
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="ledgertransaction_key_unique"),
            models.UniqueConstraint(fields=["reverses"], condition=models.Q(reverses__isnull=False),
                                    name="ledgertransaction_reverses_unique"),
        ]
        indexes = [models.Index(fields=["reference"], name="ledgertransaction_ref_idx")]

    def __str__(self) -> str:
        return f"Transaction {self.pk} · {kind_label(self.kind)}"

    def get_absolute_url(self) -> str:
        return reverse("cashier:ledgertransaction", args=[self.pk])

    def get_kind_display(self) -> str:
        """The kind's label (``backoffice.kinds``), as a choices field would give it."""
        return kind_label(self.kind)

    @property
    def handled_by(self) -> str:
        """The login or integration that posted it. Names a staff login: show it only where the login may
        be named (``User.objects.can_name``; tables read it through ``actor`` so ``restrict_columns`` can)."""
        if self.actor_id:
            return self.actor.get_username()
        return self.integration or "system"


class Entry(models.Model):
    """One leg: a signed amount on one account, with the account's balance right after it."""

    id = models.BigAutoField(primary_key=True)
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    # No single-column index: (account, -id) below serves the foreign key and every per-account read.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", db_index=False)
    amount = MoneyField()
    currency = CurrencyField()
    balance_after = MoneyField()
    created_at = models.DateTimeField()

    objects = ScopedManager.from_queryset(EntryQuerySet)()

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "entries"
        indexes = [
            models.Index(fields=["account", "-id"], name="entry_account_id_idx"),
            models.Index(fields=["account", "created_at"], name="entry_account_created_idx"),
        ]
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="entry_amount_nonzero")]

    def __str__(self) -> str:
        return f"Entry {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("cashier:ledgertransaction", args=[self.transaction_id])

    @property
    def balance_before(self):
        return self.balance_after - self.amount
