"""Operator roles: Django groups and the model permissions each grants.

Permissions are named by pattern (``app.action_model``, ``*`` as wildcard). ``roles_sync()`` applies
this table to the groups: a data migration runs it once, and a post_migrate hook runs it again after
every migration so that permissions of models added later are granted as soon as they exist.
Agents are not roles: they are users linked to an agent node (see ``backoffice.querysets``).
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from django.apps import apps as global_apps

from backoffice.querysets import agent_for_user

ADMINISTRATOR = "Administrator"
FINANCE = "Finance"
RISK = "Risk & Compliance"
SUPPORT = "Support"
CONTENT = "Content"
MARKETING = "Marketing"

ROLES: dict[str, dict] = {
    ADMINISTRATOR: {
        "description": "Everything, including roles and system settings.",
        "permissions": ["*", "cashier.release_aml_hold"],
    },
    FINANCE: {
        "description": "Cashier, ledger, payments, reconciliation and financial reports.",
        "permissions": [
            "cashier.*", "players.view_*", "reports.*", "bonuses.view_*", "games.view_*",
            "sportsbook.view_*", "sportsbook.*_invoice", "sportsbook.*_weeklyfigure",
        ],
    },
    RISK: {
        "description": "KYC, responsible gambling, AML cases and the audit log.",
        "permissions": [
            "players.*", "cashier.view_*", "cashier.*_amlflag", "cashier.*_amlcase", "cashier.*_withdrawal",
            "cashier.release_aml_hold",
            "backoffice.view_auditevent", "bonuses.view_*", "games.view_*", "sportsbook.view_*",
            "reports.view_*",
        ],
    },
    SUPPORT: {
        "description": "Player accounts, notes and their transactions.",
        "permissions": [
            "players.view_*", "players.change_player", "players.status_player", "players.*_note", "players.*_followup",
            "cashier.view_*", "bonuses.view_*", "games.view_*", "sportsbook.view_*",
        ],
    },
    CONTENT: {
        "description": "Game providers, the catalogue, the lobby and sportsbook lines.",
        "permissions": ["games.*", "sportsbook.view_*", "sportsbook.*_event", "sportsbook.*_market",
                        "sportsbook.*_selection", "reports.view_*"],
    },
    MARKETING: {
        "description": "Bonuses, promotions, segments and acquisition reports.",
        "permissions": ["bonuses.*", "players.view_player", "players.*_segment", "reports.view_*"],
    },
}

# Permissions no operator role gets through a wildcard: they belong to agents' own nodes or to Django
# internals that the back office does not expose, or (releasing an AML hold) to Risk & Compliance only,
# whatever "cashier.*" grants Finance.
_NEVER_BY_WILDCARD = {"players.manage_lines", "players.add_accounts", "players.edit_wagers",
                      "players.view_reports", "players.access_billing", "players.set_player_limits",
                      "players.change_status", "players.move_players", "cashier.release_aml_hold"}
_APPS = {"backoffice", "players", "cashier", "bonuses", "games", "sportsbook", "reports"}


def role_permissions(role: str, perm_names: list[str]) -> list[str]:
    """The permission names (``app.codename``) that ``role`` grants, out of ``perm_names``."""
    patterns = ROLES[role]["permissions"]
    granted = []
    for name in perm_names:
        app_label = name.split(".", 1)[0]
        if app_label not in _APPS:
            continue
        if name in _NEVER_BY_WILDCARD and name not in patterns:
            continue
        if any(fnmatchcase(name, p) if p != "*" else True for p in patterns):
            granted.append(name)
    return granted


def roles_sync(apps=None) -> None:
    """Create the role groups and set their permissions exactly to what ROLES says (idempotent)."""
    if apps is None:
        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = {f"{p.content_type.app_label}.{p.codename}": p
             for p in Permission.objects.select_related("content_type")}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = {perms[name].pk for name in role_permissions(role, list(perms))}
        current = set(group.permissions.values_list("pk", flat=True))
        if wanted != current:
            group.permissions.set(wanted)


def user_role_label(user) -> str:
    if not getattr(user, "is_authenticated", False):
        return ""
    agent = agent_for_user(user)
    if agent is not None:
        return agent.get_level_display()
    if user.is_superuser:
        return "Superuser"
    names = sorted(g.name for g in user.groups.all())
    return ", ".join(names) or "No role"
