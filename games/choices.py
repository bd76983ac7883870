from django.db import models


class ProviderKind(models.TextChoices):
    STUDIO = "studio", "Studio"
    AGGREGATOR = "aggregator", "Aggregator"


class GameType(models.TextChoices):
    SLOT = "slot", "Slot"
    TABLE = "table", "Table"
    LIVE = "live", "Live dealer"
    CRASH = "crash", "Crash"
    INSTANT = "instant", "Instant win"
    POKER = "poker", "Video poker"
    BINGO = "bingo", "Bingo"


class Volatility(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class RoundStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETE = "complete", "Complete"
    INTERRUPTED = "interrupted", "Interrupted"
    CANCELLED = "cancelled", "Cancelled"


class WalletTxKind(models.TextChoices):
    BET = "bet", "Bet"
    WIN = "win", "Win"
    ROLLBACK = "rollback", "Rollback"


class WalletTxStatus(models.TextChoices):
    OK = "ok", "Booked"
    ROLLED_BACK = "rolled_back", "Rolled back"
    NOOP = "noop", "No money moved"


#: Labels of the games app's ledger and timeline kinds (registered with ``backoffice.kinds``).
KIND_LABELS = {
    "games.bet": "Bet",
    "games.win": "Win",
    "games.rollback": "Bet rolled back",
    "games.round": "Game round",
}
