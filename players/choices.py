from django.db import models


class AgentLevel(models.IntegerChoices):
    MASTER = 1, "Master agent"
    AGENT = 2, "Agent"
    SUB_AGENT = 3, "Sub-agent"


class AgentFlag(models.TextChoices):
    """Object permissions an agent holds on its own node (codenames of players.Agent permissions)."""

    MANAGE_LINES = "manage_lines", "Manage lines"
    ADD_ACCOUNTS = "add_accounts", "Add accounts"
    EDIT_WAGERS = "edit_wagers", "Edit or delete wagers"
    VIEW_REPORTS = "view_reports", "View reports"
    ACCESS_BILLING = "access_billing", "Access billing"
    SET_PLAYER_LIMITS = "set_player_limits", "Set player limits"


class PlayerStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    CLOSED = "closed", "Closed"


class KycStatus(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    PENDING = "pending", "Pending"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"
