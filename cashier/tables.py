"""Tables of the cashier app."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

from backoffice.tables import BaseTable, ChoiceBadgeColumn, DateTimeColumn, KindColumn, MoneyColumn
from cashier.models import (
    Adjustment,
    AdjustmentPolicy,
    AmlCase,
    AmlFlag,
    AmlThreshold,
    AttentionItem,
    AutoApprovalRule,
    Deposit,
    Entry,
    FxRate,
    LedgerTransaction,
    PaymentGateway,
    PaymentMethod,
    ReconciliationRun,
    Withdrawal,
    WithdrawalPolicy,
)


class EntryTable(BaseTable):
    id = tables.Column(verbose_name="Entry")
    created_at = DateTimeColumn(verbose_name="Time", format="Y-m-d H:i:s")
    transaction = tables.Column(linkify=True, verbose_name="Transaction", accessor="transaction_id")
    kind = KindColumn(accessor="transaction__kind", verbose_name="Type", orderable=False)
    player = tables.Column(accessor="account__player__username", verbose_name="Player", orderable=False)
    account_kind = tables.Column(accessor="account__kind", verbose_name="Account", orderable=False)
    balance_before = MoneyColumn(verbose_name="Balance before", orderable=False)
    amount = MoneyColumn()
    balance_after = MoneyColumn(verbose_name="Balance after")
    currency = tables.Column()
    reference = tables.Column(accessor="transaction__reference", orderable=False)
    # Reads through the login (``transaction__actor``) so that ``restrict_columns`` drops it for agents.
    handled_by = tables.Column(accessor="transaction__actor", verbose_name="Handled by", orderable=False,
                               empty_values=())
    idempotency_key = tables.Column(accessor="transaction__idempotency_key", verbose_name="Unique id",
                                    orderable=False)

    class Meta(BaseTable.Meta):
        model = Entry
        fields = ("id", "created_at", "transaction", "kind", "player", "account_kind", "balance_before", "amount",
                  "balance_after", "currency", "reference", "handled_by", "idempotency_key")
        default_columns = ("created_at", "transaction", "kind", "player", "account_kind", "amount", "balance_after")
        order_by = ("-id",)

    def render_transaction(self, value):
        return f"#{value}"

    def render_account_kind(self, record):
        return record.account.get_kind_display()

    def render_handled_by(self, record):
        return record.transaction.handled_by

    def value_handled_by(self, record):
        return record.transaction.handled_by


class LedgerTransactionTable(BaseTable):
    id = tables.Column(linkify=True, verbose_name="Transaction")
    # Sorted by id: the same order (both are assigned by one posting call), and created_at has no index.
    created_at = DateTimeColumn(verbose_name="Time", format="Y-m-d H:i:s", order_by=("id",))
    # Reads through the login (``actor``) so that ``restrict_columns`` drops it for agents.
    handled_by = tables.Column(verbose_name="Handled by", orderable=False, accessor="actor", empty_values=())
    kind = KindColumn(verbose_name="Type")

    class Meta(BaseTable.Meta):
        model = LedgerTransaction
        fields = ("id", "created_at", "kind", "reference", "handled_by", "idempotency_key")
        default_columns = fields
        order_by = ("-id",)

    def render_handled_by(self, record):
        return record.handled_by

    def value_handled_by(self, record):
        return record.handled_by


class TransactionEntryTable(BaseTable):
    """The legs of one transaction (drill-down)."""

    account = tables.Column(linkify=True)
    balance_before = MoneyColumn(verbose_name="Balance before", orderable=False)
    amount = MoneyColumn(orderable=False)
    balance_after = MoneyColumn(verbose_name="Balance after", orderable=False)

    class Meta(BaseTable.Meta):
        model = Entry
        fields = ("id", "account", "currency", "balance_before", "amount", "balance_after")
        orderable = False


class DepositTable(BaseTable):
    reference = tables.Column(linkify=True)
    player = tables.Column(linkify=True)
    method = tables.Column(accessor="method__name", verbose_name="Method")
    amount = MoneyColumn()
    status = ChoiceBadgeColumn()
    is_ftd = tables.BooleanColumn(verbose_name="FTD")
    created_at = DateTimeColumn(format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = Deposit
        fields = ("reference", "created_at", "player", "method", "amount", "currency", "status", "is_ftd",
                  "gateway_reference", "failure_reason", "confirmed_at")
        default_columns = ("reference", "created_at", "player", "method", "amount", "status", "is_ftd")


class WithdrawalTable(BaseTable):
    staff_only_columns = ("needs_second_approval",)  # reveals the four-eyes threshold
    reference = tables.Column(linkify=True)
    player = tables.Column(linkify=True)
    method = tables.Column(accessor="method__name", verbose_name="Method")
    amount = MoneyColumn()
    status = ChoiceBadgeColumn()
    created_at = DateTimeColumn(format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = Withdrawal
        fields = ("reference", "created_at", "player", "method", "amount", "currency", "status", "auto_approved",
                  "needs_second_approval", "payout_reference", "paid_at")
        default_columns = ("reference", "created_at", "player", "method", "amount", "status", "auto_approved",
                           "needs_second_approval")


class AdjustmentTable(BaseTable):
    id = tables.Column(linkify=True, verbose_name="Adjustment")
    player = tables.Column(linkify=True)
    amount = MoneyColumn()
    status = ChoiceBadgeColumn()
    created_at = DateTimeColumn(format="Y-m-d H:i")
    requested_by = tables.Column(verbose_name="Requested by", empty_values=())
    decided_at = DateTimeColumn(format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = Adjustment
        fields = ("id", "created_at", "player", "amount", "currency", "status", "reason_code", "reason",
                  "requested_by", "decided_by", "decided_at", "transaction")
        default_columns = ("id", "created_at", "player", "amount", "status", "reason_code", "requested_by",
                           "decided_by")

    def render_requested_by(self, record):
        return record.requested_by or record.requested_label or "—"


class AdjustmentPolicyTable(BaseTable):
    currency = tables.Column(linkify=True)
    ceiling = MoneyColumn()
    four_eyes_above = MoneyColumn()

    class Meta(BaseTable.Meta):
        model = AdjustmentPolicy
        fields = ("currency", "ceiling", "four_eyes_above")


class AttentionItemTable(BaseTable):
    """The needs-attention queue: what waits, since when, and what the gateway last said."""

    id = tables.Column(linkify=True, verbose_name="Item")
    opened_at = DateTimeColumn(format="Y-m-d H:i", verbose_name="In the queue since")
    kind = tables.Column(empty_values=(), orderable=False)
    subject = tables.Column(empty_values=(), orderable=False, verbose_name="Payment")
    amount = MoneyColumn(orderable=False)
    waited = tables.Column(empty_values=(), orderable=False, verbose_name="Waiting for")
    reason = tables.Column(orderable=False)
    last_query = tables.Column(empty_values=(), orderable=False, verbose_name="Last status query")
    queries = tables.Column(empty_values=(), orderable=False, verbose_name="Queries")
    proposed_outcome = tables.Column(verbose_name="Proposed (four-eyes)")
    resolution = tables.Column()
    resolved_at = DateTimeColumn(format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = AttentionItem
        fields = ("id", "opened_at", "kind", "subject", "amount", "waited", "reason", "last_query", "queries",
                  "proposed_outcome", "resolution", "resolved_at")
        default_columns = ("id", "opened_at", "kind", "subject", "amount", "waited", "reason", "last_query",
                           "queries", "proposed_outcome")
        order_by = ("opened_at",)  # the longest waiting first

    def render_kind(self, record):
        return record.kind

    def render_subject(self, record):
        subject = record.subject
        return format_html('<a href="{}">{}</a>', subject.get_absolute_url(), subject)

    def value_subject(self, record):
        return str(record.subject)

    def render_waited(self, record):
        return timesince(record.waiting_since, record.resolved_at or timezone.now())

    def render_last_query(self, record):
        subject = record.subject
        if subject.last_query_at is None:
            return "—"
        return f"{subject.last_query_result} ({timesince(subject.last_query_at)} ago)"

    def render_queries(self, record):
        return record.subject.status_queries


class AmlCaseTable(BaseTable):
    id = tables.Column(linkify=True, verbose_name="Case")
    player = tables.Column(linkify=True)
    status = ChoiceBadgeColumn()
    flags = tables.Column(accessor="flag_count", verbose_name="Flags", orderable=False)
    created_at = DateTimeColumn(format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = AmlCase
        fields = ("id", "created_at", "player", "status", "flags", "assignee", "resolved_at")


class AmlFlagTable(BaseTable):
    created_at = DateTimeColumn(format="Y-m-d H:i")
    deposit = tables.Column(linkify=True)
    withdrawal = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = AmlFlag
        fields = ("created_at", "kind", "summary", "blocks_deposits", "deposit", "withdrawal")
        orderable = False


class PaymentGatewayTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = PaymentGateway
        fields = ("name", "code", "is_simulated", "is_active")


class PaymentMethodTable(BaseTable):
    name = tables.Column(linkify=True)
    min_amount = MoneyColumn()
    max_amount = MoneyColumn()

    class Meta(BaseTable.Meta):
        model = PaymentMethod
        fields = ("name", "gateway", "code", "currency", "countries", "min_amount", "max_amount", "supports_payouts",
                  "is_active")


class AutoApprovalRuleTable(BaseTable):
    name = tables.Column(linkify=True)
    max_amount = MoneyColumn()

    class Meta(BaseTable.Meta):
        model = AutoApprovalRule
        fields = ("name", "currency", "min_vip_level", "max_amount", "require_kyc_verified", "min_account_age_days",
                  "is_active")


class WithdrawalPolicyTable(BaseTable):
    currency = tables.Column(linkify=True)
    four_eyes_above = MoneyColumn()

    class Meta(BaseTable.Meta):
        model = WithdrawalPolicy
        fields = ("currency", "four_eyes_above")


class AmlThresholdTable(BaseTable):
    currency = tables.Column(linkify=True)
    large_transaction = MoneyColumn()

    class Meta(BaseTable.Meta):
        model = AmlThreshold
        fields = ("currency", "large_transaction", "velocity_count", "velocity_minutes", "max_methods",
                  "min_play_ratio")


class FxRateTable(BaseTable):
    valid_from = DateTimeColumn(format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = FxRate
        fields = ("currency", "rate", "valid_from", "source", "created_at")


class ReconciliationRunTable(BaseTable):
    id = tables.Column(linkify=True, verbose_name="Run")
    matched = tables.Column(accessor="summary__matched", orderable=False)
    missing_ours = tables.Column(accessor="summary__missing_ours", verbose_name="Missing on our side",
                                 orderable=False)
    missing_theirs = tables.Column(accessor="summary__missing_theirs", verbose_name="Missing on theirs",
                                   orderable=False)
    mismatched = tables.Column(accessor="summary__mismatched", verbose_name="Amount mismatches", orderable=False)

    class Meta(BaseTable.Meta):
        model = ReconciliationRun
        fields = ("id", "created_at", "gateway", "file_name", "matched", "missing_ours", "missing_theirs",
                  "mismatched", "created_by")
