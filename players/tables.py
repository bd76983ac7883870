import django_tables2 as tables

from backoffice.tables import BaseTable, ChoiceBadgeColumn, MoneyColumn
from players.models import Agent, Player


class PlayerTable(BaseTable):
    id = tables.Column(linkify=True, verbose_name="ID")
    username = tables.Column(linkify=True)
    status = ChoiceBadgeColumn()
    kyc_status = ChoiceBadgeColumn(verbose_name="KYC")
    agent = tables.Column(linkify=True, accessor="agent__code", verbose_name="Agent")
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name="Registered")

    class Meta(BaseTable.Meta):
        model = Player
        fields = ("id", "username", "email", "first_name", "last_name", "country", "currency", "status",
                  "kyc_status", "vip_level", "agent", "is_test", "created_at", "last_login_at")
        default_columns = ("id", "username", "email", "country", "currency", "status", "kyc_status", "vip_level",
                           "agent", "created_at")
        order_by = ("-id",)


class AgentTable(BaseTable):
    code = tables.Column(linkify=True)
    level = tables.Column()
    parent = tables.Column(linkify=True, accessor="parent__code", verbose_name="Parent")
    user = tables.Column(accessor="user__username", verbose_name="Login")
    player_count = tables.Column(verbose_name="Players", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    credit_limit = MoneyColumn()
    max_wager = MoneyColumn()
    is_active = tables.BooleanColumn(verbose_name="Active")

    class Meta(BaseTable.Meta):
        model = Agent
        fields = ("code", "name", "level", "parent", "user", "currency", "credit_limit", "max_wager",
                  "player_count", "is_active")
        order_by = ("code",)
