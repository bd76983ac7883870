"""Tables of the cashier app."""

import django_tables2 as tables

from backoffice.tables import BaseTable, MoneyColumn
from cashier.models import Account, Entry, LedgerTransaction


class EntryTable(BaseTable):
    id = tables.Column(verbose_name="Entry")
    created_at = tables.DateTimeColumn(verbose_name="Time", format="Y-m-d H:i:s")
    transaction = tables.Column(linkify=True, verbose_name="Transaction", accessor="transaction_id")
    kind = tables.Column(accessor="transaction__kind", verbose_name="Type", orderable=False)
    player = tables.Column(accessor="account__player__username", verbose_name="Player", orderable=False)
    account_kind = tables.Column(accessor="account__kind", verbose_name="Account", orderable=False)
    balance_before = MoneyColumn(verbose_name="Balance before", orderable=False)
    amount = MoneyColumn()
    balance_after = MoneyColumn(verbose_name="Balance after")
    currency = tables.Column()
    reference = tables.Column(accessor="transaction__reference", orderable=False)
    handled_by = tables.Column(accessor="transaction__handled_by", verbose_name="Handled by", orderable=False)
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


class LedgerTransactionTable(BaseTable):
    id = tables.Column(linkify=True, verbose_name="Transaction")
    created_at = tables.DateTimeColumn(verbose_name="Time", format="Y-m-d H:i:s")
    handled_by = tables.Column(verbose_name="Handled by", orderable=False, accessor="handled_by")

    class Meta(BaseTable.Meta):
        model = LedgerTransaction
        fields = ("id", "created_at", "kind", "reference", "handled_by", "idempotency_key")
        default_columns = fields
        order_by = ("-id",)


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


class AccountTable(BaseTable):
    account = tables.Column(accessor="pk", linkify=lambda record: record.get_absolute_url(), verbose_name="Account")
    balance = MoneyColumn()
    credit_limit = MoneyColumn(verbose_name="Credit limit")

    class Meta(BaseTable.Meta):
        model = Account
        fields = ("account", "kind", "currency", "balance", "credit_limit")
        orderable = False

    def render_account(self, record):
        return str(record)
