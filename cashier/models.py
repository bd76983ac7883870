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
      constraint trigger on ``cashier_entry`` checks it at commit (cashier/sql/cashier_entry_check_balanced.sql).
    * Each entry is in its account's currency (``Entry.currency`` is checked against the account by
      the same deferred trigger) and a wallet never mixes currencies.
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

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse

from backoffice.money import CurrencyField, MoneyField
from backoffice.querysets import ScopedManager
from cashier.choices import PLAYER_KINDS, AccountKind, CaseStatus, DepositStatus, FlagKind, WithdrawalStatus
from cashier.querysets import (
    AccountQuerySet,
    AmlCaseNoteQuerySet,
    AmlCaseQuerySet,
    AmlFlagQuerySet,
    AmlThresholdQuerySet,
    AutoApprovalRuleQuerySet,
    DepositQuerySet,
    EntryQuerySet,
    FxRateQuerySet,
    LedgerTransactionQuerySet,
    PaymentGatewayQuerySet,
    PaymentMethodQuerySet,
    ReconciliationRunQuerySet,
    WebhookEventQuerySet,
    WithdrawalPolicyQuerySet,
    WithdrawalQuerySet,
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


# --- Payments ---------------------------------------------------------------------------------------

def _new_secret() -> str:
    import secrets

    return secrets.token_hex(32)


class PaymentGateway(models.Model):
    """A payment service provider. Its webhooks are signed with ``webhook_secret`` (HMAC-SHA256)."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    webhook_secret = models.CharField(max_length=128, default=_new_secret, editable=False,
                                      help_text="Shared HMAC secret for webhooks (generated).")
    is_simulated = models.BooleanField(default=False, help_text="The built-in simulator (demo and tests).")
    is_active = models.BooleanField(default=True)
    simulation = models.JSONField(default=dict, blank=True,
                                  help_text='Simulator only: {"fail_rate": 0.1, "timeout_rate": 0.05, '
                                            '"duplicate_rate": 0.2, "delay_seconds": 3}')

    objects = ScopedManager.from_queryset(PaymentGatewayQuerySet)()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cashier:paymentgateway", args=[self.pk])


class PaymentMethod(models.Model):
    """A way to pay through a gateway, in one currency, for some countries, within min/max amounts."""

    gateway = models.ForeignKey(PaymentGateway, on_delete=models.PROTECT, related_name="methods")
    code = models.SlugField(max_length=32)
    name = models.CharField(max_length=100)
    currency = CurrencyField()
    countries = models.CharField(max_length=300, blank=True,
                                 help_text="ISO-3166 alpha-2 codes separated by commas; empty: every country.")
    min_amount = MoneyField(default=Decimal("10"))
    max_amount = MoneyField(default=Decimal("5000"))
    supports_payouts = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)

    objects = ScopedManager.from_queryset(PaymentMethodQuerySet)()

    class Meta:
        ordering = ["gateway__name", "name", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "code", "currency"], name="paymentmethod_unique"),
            models.CheckConstraint(
                condition=models.Q(min_amount__gt=0) & models.Q(max_amount__gte=models.F("min_amount")),
                name="paymentmethod_min_max"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"

    def get_absolute_url(self) -> str:
        return reverse("cashier:paymentmethod_edit", args=[self.pk])

    def allows_country(self, country: str) -> bool:
        allowed = {c.strip().upper() for c in self.countries.split(",") if c.strip()}
        return not allowed or country.upper() in allowed


class Deposit(models.Model):
    """A player's deposit: initiated > pending > confirmed | failed | expired. Credited once, on confirm."""

    reference = models.CharField(max_length=40, unique=True, help_text="Our reference, sent to the gateway.")
    idempotency_key = models.CharField(max_length=200, unique=True)
    player = models.ForeignKey("players.Player", on_delete=models.PROTECT, related_name="deposits")
    method = models.ForeignKey(PaymentMethod, on_delete=models.PROTECT, related_name="deposits")
    gateway = models.ForeignKey(PaymentGateway, on_delete=models.PROTECT, related_name="deposits")
    amount = MoneyField()
    currency = CurrencyField()
    status = models.CharField(max_length=16, choices=DepositStatus.choices, default=DepositStatus.INITIATED)
    gateway_reference = models.CharField(max_length=100, blank=True)
    is_ftd = models.BooleanField(default=False, verbose_name="first-time deposit")
    failure_reason = models.CharField(max_length=200, blank=True)
    ledger_transaction = models.OneToOneField(LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT,
                                              related_name="deposit")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager.from_queryset(DepositQuerySet)()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="deposit_amount_gt_0"),
            models.UniqueConstraint(fields=["player"], condition=models.Q(is_ftd=True), name="deposit_one_ftd"),
            models.CheckConstraint(condition=~models.Q(status="confirmed") | models.Q(ledger_transaction__isnull=False),
                                   name="deposit_confirmed_is_posted"),
        ]
        indexes = [models.Index(fields=["player", "status", "created_at"], name="deposit_player_status_idx"),
                   models.Index(fields=["status", "created_at"], name="deposit_status_idx")]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("cashier:deposit", args=[self.pk])


class WebhookEvent(models.Model):
    """Every accepted webhook call, by the gateway's event id: a replay is answered from here."""

    gateway = models.ForeignKey(PaymentGateway, on_delete=models.PROTECT, related_name="events")
    event_id = models.CharField(max_length=100)
    body_hash = models.CharField(max_length=64)
    event_type = models.CharField(max_length=40)
    reference = models.CharField(max_length=100, blank=True)
    payload = models.JSONField()
    outcome = models.CharField(max_length=40)
    received_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager.from_queryset(WebhookEventQuerySet)()

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="webhookevent_unique")]

    def __str__(self) -> str:
        return f"{self.gateway.code}:{self.event_id}"


class Withdrawal(models.Model):
    """A payout request. Requesting moves the funds to pending withdrawals (reserve); rejection returns
    them; approval queues the payout, which moves them from pending withdrawals to gateway clearing."""

    reference = models.CharField(max_length=40, unique=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    player = models.ForeignKey("players.Player", on_delete=models.PROTECT, related_name="withdrawals")
    method = models.ForeignKey(PaymentMethod, on_delete=models.PROTECT, related_name="withdrawals")
    gateway = models.ForeignKey(PaymentGateway, on_delete=models.PROTECT, related_name="withdrawals")
    amount = MoneyField()
    currency = CurrencyField()
    status = models.CharField(max_length=16, choices=WithdrawalStatus.choices, default=WithdrawalStatus.REQUESTED)
    auto_approved = models.BooleanField(default=False)
    hold_reasons = models.JSONField(default=list, blank=True, help_text="Why automatic approval did not apply.")
    needs_second_approval = models.BooleanField(default=False)
    first_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    rejection_reason = models.CharField(max_length=300, blank=True)
    payout_reference = models.CharField(max_length=100, blank=True)
    reserve_transaction = models.OneToOneField(LedgerTransaction, on_delete=models.PROTECT, related_name="+")
    settle_transaction = models.OneToOneField(LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT,
                                              related_name="+", help_text="Payout or release.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager.from_queryset(WithdrawalQuerySet)()

    class Meta:
        ordering = ["-id"]
        permissions = [("approve_withdrawal", "Approve or reject withdrawals")]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="withdrawal_amount_gt_0")]
        indexes = [models.Index(fields=["status", "created_at"], name="withdrawal_status_idx")]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("cashier:withdrawal", args=[self.pk])


class WithdrawalPolicy(models.Model):
    """Per currency: above ``four_eyes_above`` a withdrawal needs two different approvers."""

    currency = CurrencyField(unique=True)
    four_eyes_above = MoneyField(default=Decimal("5000"))

    objects = ScopedManager.from_queryset(WithdrawalPolicyQuerySet)()

    class Meta:
        ordering = ["currency"]
        verbose_name_plural = "withdrawal policies"

    def __str__(self) -> str:
        return f"Withdrawal policy {self.currency}"

    def get_absolute_url(self) -> str:
        return reverse("cashier:withdrawalpolicy_edit", args=[self.pk])


class AutoApprovalRule(models.Model):
    """A withdrawal is approved automatically when one active rule of its currency matches it entirely
    (and the player has no open AML flag)."""

    name = models.CharField(max_length=100)
    currency = CurrencyField()
    min_vip_level = models.PositiveSmallIntegerField(default=0)
    max_amount = MoneyField()
    require_kyc_verified = models.BooleanField(default=True)
    min_account_age_days = models.PositiveIntegerField(default=7)
    is_active = models.BooleanField(default=True)

    objects = ScopedManager.from_queryset(AutoApprovalRuleQuerySet)()

    class Meta:
        ordering = ["currency", "min_vip_level"]
        constraints = [models.CheckConstraint(condition=models.Q(max_amount__gt=0), name="autorule_max_gt_0")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cashier:autoapprovalrule_edit", args=[self.pk])


# --- AML --------------------------------------------------------------------------------------------

class AmlThreshold(models.Model):
    """Per currency thresholds of the AML and fraud rules."""

    currency = CurrencyField(unique=True)
    large_transaction = MoneyField(default=Decimal("10000"))
    velocity_count = models.PositiveSmallIntegerField(default=5, help_text="Deposits within the window ...")
    velocity_minutes = models.PositiveIntegerField(default=60)
    max_methods = models.PositiveSmallIntegerField(default=3, help_text="Distinct deposit methods in 30 days.")
    min_play_ratio = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("1.00"),
                                         help_text="Withdrawing after wagering less than this times the deposits "
                                                   "of the last 30 days raises a flag.")

    objects = ScopedManager.from_queryset(AmlThresholdQuerySet)()

    class Meta:
        ordering = ["currency"]

    def __str__(self) -> str:
        return f"AML thresholds {self.currency}"

    def get_absolute_url(self) -> str:
        return reverse("cashier:amlthreshold_edit", args=[self.pk])


class AmlCase(models.Model):
    """A Risk & Compliance case: one open case per player collects its flags."""

    player = models.ForeignKey("players.Player", on_delete=models.PROTECT, related_name="aml_cases")
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    resolution = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    objects = ScopedManager.from_queryset(AmlCaseQuerySet)()

    class Meta:
        ordering = ["-id"]
        verbose_name = "AML case"
        constraints = [models.UniqueConstraint(fields=["player"], condition=~models.Q(status="resolved"),
                                               name="amlcase_one_open_per_player")]

    def __str__(self) -> str:
        return f"Case {self.pk} · {self.player}"

    def get_absolute_url(self) -> str:
        return reverse("cashier:amlcase", args=[self.pk])


class AmlFlag(models.Model):
    """One rule hit, linked to the transaction that raised it."""

    case = models.ForeignKey(AmlCase, on_delete=models.PROTECT, related_name="flags")
    player = models.ForeignKey("players.Player", on_delete=models.PROTECT, related_name="aml_flags")
    kind = models.CharField(max_length=32, choices=FlagKind.choices)
    summary = models.CharField(max_length=300)
    blocks_deposits = models.BooleanField(default=False)
    deposit = models.ForeignKey(Deposit, null=True, blank=True, on_delete=models.PROTECT, related_name="flags")
    withdrawal = models.ForeignKey(Withdrawal, null=True, blank=True, on_delete=models.PROTECT, related_name="flags")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager.from_queryset(AmlFlagQuerySet)()

    class Meta:
        ordering = ["-id"]
        verbose_name = "AML flag"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.player}"

    def get_absolute_url(self) -> str:
        return reverse("cashier:amlcase", args=[self.case_id])


class AmlCaseNote(models.Model):
    """A note of the compliance team on an AML case (operator staff only, like the case)."""

    case = models.ForeignKey(AmlCase, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager.from_queryset(AmlCaseNoteQuerySet)()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Note on case {self.case_id}"


# --- FX and reconciliation ---------------------------------------------------------------------------

class FxRate(models.Model):
    """1 unit of ``currency`` = ``rate`` units of the base currency, from ``valid_from`` on."""

    currency = CurrencyField()
    rate = models.DecimalField(max_digits=20, decimal_places=10)
    valid_from = models.DateTimeField()
    source = models.CharField(max_length=40, default="manual")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager.from_queryset(FxRateQuerySet)()

    class Meta:
        ordering = ["currency", "-valid_from"]
        verbose_name = "FX rate"
        constraints = [
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="fxrate_rate_gt_0"),
            models.UniqueConstraint(fields=["currency", "valid_from"], name="fxrate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} from {self.valid_from:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("cashier:fxrate_list")


class ReconciliationRun(models.Model):
    """One settlement file matched against our records; the result rows are kept for download."""

    gateway = models.ForeignKey(PaymentGateway, on_delete=models.PROTECT, related_name="reconciliations")
    file_name = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    summary = models.JSONField(default=dict)
    rows = models.JSONField(default=list)

    objects = ScopedManager.from_queryset(ReconciliationRunQuerySet)()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Reconciliation {self.pk} · {self.gateway.code}"

    def get_absolute_url(self) -> str:
        return reverse("cashier:reconciliationrun", args=[self.pk])
