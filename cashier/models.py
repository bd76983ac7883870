"""The cashier's double-entry ledger.

Design overview
===============

Accounts
    An :class:`Account` holds money in exactly one currency. Player accounts belong to a player and
    are created on first use, in the player's currency: ``player_cash`` (the wallet), ``player_bonus``
    (bonus money, spent after cash) and ``player_credit`` (a pay-per-head credit line). System accounts
    have no player: ``house`` (the operator's own money: GGR lands here), ``gateway_clearing`` (money a
    payment gateway owes us or we owe it), ``pending_withdrawals`` (reserved for requested payouts),
    ``bonus_cost`` (bonus money granted) and ``agent_settlement`` (PPH settle-ups).

Transactions and entries (legs)
    A :class:`LedgerTransaction` is one business event (a deposit, a bet, an adjustment) with a unique
    ``idempotency_key``, a ``kind``, a reference, who did it (``actor`` or ``integration``) and metadata.
    Its :class:`Entry` rows are the legs: one signed amount on one account each.

Sign convention
    ``Account.balance`` is the sum of its entries' amounts. A **positive** amount increases the
    account, a **negative** one decreases it, whatever the account kind. A deposit of 100 EUR is
    ``player_cash +100, gateway_clearing -100``; a 5 EUR bet is ``player_cash -5, house +5``; a win of
    8 is ``house -8, player_cash +8``. A system account going negative is normal (the clearing account
    is negative while the gateway owes us the money; the house is negative after a lucky player).

Rules (enforced in the database, not only here)
    * The entries of a transaction sum to zero per currency: a DEFERRABLE INITIALLY DEFERRED
      constraint trigger on ``cashier_entry`` checks it at commit (migration 0002).
    * Each entry is in its account's currency (``Entry.currency`` is checked against the account by
      the same trigger) and a wallet never mixes currencies.
    * ``balance >= -credit_limit`` is a CHECK constraint on the account; ``credit_limit`` NULL means
      unlimited (system accounts except pending withdrawals). Player cash and bonus have limit 0;
      a credit line's limit is the player's credit.
    * Entries and transactions are append-only: triggers refuse UPDATE and DELETE. A correction is a
      reversing transaction (``ledger_reverse``), never an edit.
    * ``Entry.balance_after`` is the account's balance right after that entry; ``balance_after -
      amount`` is the balance before. The cached ``Account.balance`` is changed in the same database
      transaction as the entries, under a row lock (``SELECT ... FOR NO KEY UPDATE``) taken in
      ascending account id order, so concurrent postings never lose an update and never deadlock.

Hot system accounts
    Every bet touches the house. One house row per currency would serialize every posting of the
    product behind one row lock (about 2.7k postings/s on this hardware, flat with clients). System
    accounts are therefore split into ``shard`` rows (``constants.DEFAULT_SYSTEM_SHARDS``): a posting
    locks one shard picked at random; the house balance is the sum of its shards. See
    docs/architecture.md, "Ledger".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from backoffice.money import CurrencyField, MoneyField
from backoffice.querysets import ScopedManager
from cashier.choices import PLAYER_KINDS, AccountKind
from cashier.querysets import AccountQuerySet, EntryQuerySet, LedgerTransactionQuerySet


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

    idempotency_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=64, db_index=True)
    payload_hash = models.CharField(max_length=64, editable=False,
                                    help_text="SHA-256 of kind and lines: a replay must match it.")
    reference = models.CharField(max_length=200, blank=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    integration = models.CharField(max_length=64, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    created_at = models.DateTimeField(db_index=True)

    objects = ScopedManager.from_queryset(LedgerTransactionQuerySet)()

    class Meta:
        ordering = ["-id"]
        verbose_name = "ledger transaction"

    def __str__(self) -> str:
        return f"Transaction {self.pk} · {self.kind}"

    def get_absolute_url(self) -> str:
        return reverse("cashier:ledgertransaction", args=[self.pk])

    @property
    def handled_by(self) -> str:
        if self.actor_id:
            return self.actor.get_username()
        return self.integration or "system"


class Entry(models.Model):
    """One leg: a signed amount on one account, with the account's balance right after it."""

    id = models.BigAutoField(primary_key=True)
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
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
