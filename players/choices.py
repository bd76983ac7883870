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
    CHANGE_STATUS = "change_status", "Change player status"
    MOVE_PLAYERS = "move_players", "Move players between nodes"


class PlayerStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    CLOSED = "closed", "Closed"


class KycStatus(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    PENDING = "pending", "Pending"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


class LimitKind(models.TextChoices):
    DEPOSIT = "deposit", "Deposit"
    LOSS = "loss", "Loss"
    WAGER = "wager", "Wager"


class LimitPeriod(models.TextChoices):
    DAY = "day", "24 hours"
    WEEK = "week", "7 days"
    MONTH = "month", "1 month"


class LimitSource(models.TextChoices):
    PLAYER = "player", "Player (self-imposed)"
    OPERATOR = "operator", "Operator-imposed"


class ExclusionKind(models.TextChoices):
    TIMEOUT = "timeout", "Time-out"
    SELF_EXCLUSION = "self_exclusion", "Self-exclusion"


class NoteChannel(models.TextChoices):
    NOTE = "note", "Internal note"
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    CHAT = "chat", "Live chat"
    SMS = "sms", "SMS"
    LETTER = "letter", "Letter"


class SegmentKind(models.TextChoices):
    STATIC = "static", "Static tag"
    RULE = "rule", "Rule-based"


class UsageKind(models.TextChoices):
    DEPOSIT = "deposit", "Deposit"
    WAGER = "wager", "Wager"
    WIN = "win", "Win"


#: Labels of the players app's timeline kinds (registered with ``backoffice.kinds``).
TIMELINE_KIND_LABELS = {
    "players.registered": "Registered",
    "players.login": "Logged in",
    "players.login_locked": "Login locked",
    "players.profile_changed": "Profile changed",
    "players.status": "Account status",
    "players.kyc": "KYC status",
    "players.moved": "Moved to another agent",
    "players.credit_limits": "Credit limits",
    "players.tags": "Tags",
    "players.note": "Note",
    "players.staff_note": "Staff note",
    "players.follow_up_done": "Follow-up done",
    "players.limit_applied": "Limit in force",
    "players.limit_pending": "Limit increase pending",
    "players.limit_confirmed": "Limit increase confirmed",
    "players.reality_check": "Reality check",
    "players.timeout": "Time-out",
    "players.self_exclusion": "Self-exclusion",
}
