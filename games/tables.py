import django_tables2 as tables
from django.utils.html import format_html

from backoffice.tables import BaseTable, ChoiceBadgeColumn, DateTimeColumn, MoneyColumn
from games.models import Game, Jurisdiction, LobbyCategory, Provider, Round, WalletTransaction

NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class ProviderTable(BaseTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    game_count = tables.Column(verbose_name="Games", attrs=NUM)
    is_active = tables.BooleanColumn(verbose_name="Active")
    secret_rotated_at = DateTimeColumn(format="Y-m-d H:i", verbose_name="Secret rotated")

    class Meta(BaseTable.Meta):
        model = Provider
        fields = ("code", "name", "kind", "game_count", "is_active", "secret_rotated_at", "created_at")
        order_by = ("code",)


class GameTable(BaseTable):
    title = tables.Column(linkify=True)
    provider = tables.Column(accessor="provider__code", verbose_name="Provider")
    category = tables.Column(accessor="category__name", verbose_name="Category")
    rtp = tables.Column(verbose_name="RTP %", attrs=NUM)
    version = tables.Column(attrs=NUM)
    is_active = tables.BooleanColumn(verbose_name="Active")

    class Meta(BaseTable.Meta):
        model = Game
        fields = ("id", "title", "provider", "external_id", "game_type", "category", "rtp", "volatility",
                  "certificate_ref", "version", "is_active", "disabled_reason", "updated_at")
        default_columns = ("title", "provider", "external_id", "game_type", "category", "rtp", "volatility",
                           "version", "is_active")
        order_by = ("title",)


class JurisdictionTable(BaseTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    countries = tables.Column(orderable=False)
    game_count = tables.Column(verbose_name="Approved games", attrs=NUM)
    is_default = tables.BooleanColumn(verbose_name="Default")

    class Meta(BaseTable.Meta):
        model = Jurisdiction
        fields = ("code", "name", "countries", "is_default", "game_count")
        order_by = ("code",)

    def render_countries(self, value):
        return ", ".join(value) or "—"


class LobbyCategoryTable(BaseTable):
    name = tables.Column(linkify=True)
    placement_count = tables.Column(verbose_name="Placed games", attrs=NUM)
    is_active = tables.BooleanColumn(verbose_name="Active")

    class Meta(BaseTable.Meta):
        model = LobbyCategory
        fields = ("position", "name", "slug", "placement_count", "is_active")
        order_by = ("position",)


class RoundTable(BaseTable):
    id = tables.Column(linkify=True, verbose_name="ID")
    round_ref = tables.Column(linkify=True, verbose_name="Round id")
    player = tables.Column(linkify=True, accessor="player__username", verbose_name="Player")
    game = tables.Column(accessor="game__title", verbose_name="Game")
    provider = tables.Column(accessor="provider__code", verbose_name="Provider")
    status = ChoiceBadgeColumn()
    bet_total = MoneyColumn(verbose_name="Bet")
    win_total = MoneyColumn(verbose_name="Win")
    bet_cash = MoneyColumn(verbose_name="Bet cash")
    bet_bonus = MoneyColumn(verbose_name="Bet bonus")
    rolled_back = MoneyColumn(verbose_name="Rolled back")
    opened_at = DateTimeColumn(format="Y-m-d H:i:s", verbose_name="Opened")

    class Meta(BaseTable.Meta):
        model = Round
        fields = ("id", "round_ref", "opened_at", "player", "game", "game_version", "provider", "currency", "status",
                  "bet_total", "bet_cash", "bet_bonus", "win_total", "win_cash", "win_bonus", "rolled_back",
                  "closed_at")
        default_columns = ("id", "round_ref", "opened_at", "player", "game", "provider", "status", "bet_total",
                           "win_total", "bet_bonus")
        order_by = ("-id",)

    def render_player(self, value, record):
        return format_html('<a href="{}">{}</a>', record.player.get_absolute_url(), value)


class WalletTransactionTable(BaseTable):
    kind = ChoiceBadgeColumn()
    status = ChoiceBadgeColumn()
    amount = MoneyColumn()
    cash_amount = MoneyColumn(verbose_name="Cash")
    bonus_amount = MoneyColumn(verbose_name="Bonus")
    balance_before = MoneyColumn(verbose_name="Before")
    balance_after = MoneyColumn(verbose_name="After")
    created_at = DateTimeColumn(format="H:i:s", verbose_name="Time")
    tx_ref = tables.Column(verbose_name="Provider tx id")
    ref_tx = tables.Column(verbose_name="Refers to")
    ledger_transaction_id = tables.Column(verbose_name="Ledger tx")

    class Meta(BaseTable.Meta):
        model = WalletTransaction
        fields = ("id", "created_at", "kind", "tx_ref", "ref_tx", "status", "amount", "cash_amount", "bonus_amount",
                  "balance_before", "balance_after", "ledger_transaction_id")
        default_columns = ("created_at", "kind", "tx_ref", "ref_tx", "status", "amount", "cash_amount",
                           "bonus_amount", "balance_before", "balance_after")
        order_by = ("id",)
