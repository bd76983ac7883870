"""The left navigation: one list for the whole product, filtered by what the user may view.

An item is shown when ``<model>.objects.can(user, "view")`` (the scoping mechanism) says so; a section
with no visible item is hidden. Apps add their pages here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Item:
    label: str
    url_name: str
    model: str | None = None  # "app_label.ModelName" whose view permission shows the item
    icon: str = "dot"


@dataclass(frozen=True)
class Section:
    label: str
    items: tuple[Item, ...]


MENU: tuple[Section, ...] = (
    Section("Overview", (Item("Dashboard", "home", icon="home"),
                         Item("My exports", "backoffice:exportjob_list", "backoffice.ExportJob", icon="dot"))),
    Section("Players", (
        Item("Players", "players:player_list", "players.Player", icon="users"),
        Item("Agents", "players:agent_list", "players.Agent", icon="tree"),
        Item("Follow-ups", "players:followup_list", "players.Note", icon="dot"),
        Item("Segments", "players:segment_list", "players.Segment", icon="dot"),
    )),
    Section("Games", (
        Item("Games", "games:game_list", "games.Game", icon="dice"),
        Item("Rounds", "games:round_list", "games.Round", icon="dot"),
        Item("Lobby", "games:lobbycategory_list", "games.LobbyCategory", icon="dot"),
        Item("Providers", "games:provider_list", "games.Provider", icon="dot"),
        Item("Jurisdictions", "games:jurisdiction_list", "games.Jurisdiction", icon="dot"),
    )),
    Section("Cashier", (
        Item("Deposits", "cashier:deposit_list", "cashier.Deposit", icon="dot"),
        Item("Withdrawals", "cashier:withdrawal_list", "cashier.Withdrawal", icon="dot"),
        Item("Needs attention", "cashier:attentionitem_list", "cashier.AttentionItem", icon="dot"),
        Item("Adjustments", "cashier:adjustment_list", "cashier.Adjustment", icon="dot"),
        Item("Transactions", "cashier:ledgertransaction_list", "cashier.LedgerTransaction", icon="dot"),
        Item("Ledger entries", "cashier:entry_list", "cashier.Entry", icon="dot"),
        Item("Liability", "cashier:liability", "cashier.Account", icon="dot"),
        Item("Gateways", "cashier:paymentgateway_list", "cashier.PaymentGateway", icon="dot"),
        Item("Payment methods", "cashier:paymentmethod_list", "cashier.PaymentMethod", icon="dot"),
        Item("Approval rules", "cashier:autoapprovalrule_list", "cashier.AutoApprovalRule", icon="dot"),
        Item("Four-eyes", "cashier:withdrawalpolicy_list", "cashier.WithdrawalPolicy", icon="dot"),
        Item("Adjustment limits", "cashier:adjustmentpolicy_list", "cashier.AdjustmentPolicy", icon="dot"),
        Item("FX rates", "cashier:fxrate_list", "cashier.FxRate", icon="dot"),
        Item("Reconciliation", "cashier:reconciliationrun_list", "cashier.ReconciliationRun", icon="dot"),
    )),
    Section("Compliance", (
        Item("AML cases", "cashier:amlcase_list", "cashier.AmlCase", icon="shield"),
        Item("AML thresholds", "cashier:amlthreshold_list", "cashier.AmlThreshold", icon="dot"),
        Item("Audit log", "backoffice:auditevent_list", "backoffice.AuditEvent", icon="shield"),
    )),
    Section("Administration", (
        Item("Logins", "backoffice:user_list", "backoffice.User", icon="users"),
    )),
)


def menu_for(user, current_path: str = "") -> list[dict]:
    """The visible sections and items; the item with the longest URL prefix of the path is active."""
    sections, best = [], None
    for section in MENU:
        items = []
        for item in section.items:
            if item.model and not apps.get_model(item.model).objects.can(user, "view"):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            entry = {"label": item.label, "url": url, "icon": item.icon, "active": False}
            matches = current_path == url if url == "/" else current_path.startswith(url)
            if matches and (best is None or len(url) > len(best["url"])):
                best = entry
            items.append(entry)
        if items:
            sections.append({"label": section.label, "items": items})
    if best is not None:
        best["active"] = True
    return sections
