"""Choices of the cashier app."""

from django.db import models


class AccountKind(models.TextChoices):
    PLAYER_CASH = "player_cash", "Player cash"
    PLAYER_BONUS = "player_bonus", "Player bonus"
    PLAYER_CREDIT = "player_credit", "Player credit line"
    HOUSE = "house", "House"
    GATEWAY_CLEARING = "gateway_clearing", "Gateway clearing"
    PENDING_WITHDRAWALS = "pending_withdrawals", "Pending withdrawals"
    BONUS_COST = "bonus_cost", "Bonus cost"
    AGENT_SETTLEMENT = "agent_settlement", "Agent settlement"


PLAYER_KINDS = (AccountKind.PLAYER_CASH, AccountKind.PLAYER_BONUS, AccountKind.PLAYER_CREDIT)
SYSTEM_KINDS = tuple(k for k in AccountKind if k not in PLAYER_KINDS)


class TransactionKind(models.TextChoices):
    """Kinds posted by the cashier itself. Other apps post their own namespaced kinds ("games.bet")."""

    DEPOSIT = "cashier.deposit", "Deposit"
    WITHDRAWAL_RESERVE = "cashier.withdrawal_reserve", "Withdrawal reserved"
    WITHDRAWAL_RELEASE = "cashier.withdrawal_release", "Withdrawal returned"
    WITHDRAWAL_PAYOUT = "cashier.withdrawal_payout", "Withdrawal paid out"
    ADJUSTMENT = "cashier.adjustment", "Manual adjustment"
    REVERSAL = "cashier.reversal", "Reversal"


class AdjustmentReason(models.TextChoices):
    GOODWILL = "goodwill", "Goodwill credit"
    CORRECTION = "correction", "Correction of an error"
    CHARGEBACK = "chargeback", "Chargeback"
    GAME_DISPUTE = "game_dispute", "Game dispute"
    TESTING = "testing", "Integration testing"
    OTHER = "other", "Other (explain)"


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", "Awaiting a second approval"
    POSTED = "posted", "Posted"
    REJECTED = "rejected", "Rejected"


class DepositStatus(models.TextChoices):
    INITIATED = "initiated", "Initiated"
    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


class WithdrawalStatus(models.TextChoices):
    REQUESTED = "requested", "Awaiting review"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Payout failed"


class GatewayAnswer(models.TextChoices):
    """What a gateway answers to a status query (``cashier.services.gateway_status``)."""

    PAID = "paid", "Paid"  # a deposit confirmed, a payout paid out
    FAILED = "failed", "Failed"
    PENDING = "pending", "Pending"
    UNKNOWN = "unknown", "Unknown"  # the gateway has no record of our reference


class AttentionOutcome(models.TextChoices):
    """A manual resolution of a needs-attention item."""

    PAID = "paid", "Mark paid (deposit confirmed, payout paid out)"
    FAILED = "failed", "Mark failed (nothing credited, payout funds returned)"


class FlagKind(models.TextChoices):
    FAILED_DEPOSITS = "failed_deposits", "Failed deposits"
    DEPOSIT_VELOCITY = "deposit_velocity", "Deposit velocity"
    MANY_METHODS = "many_methods", "Many payment methods"
    LARGE_TRANSACTION = "large_transaction", "Large single transaction"
    DEPOSIT_WITHDRAW = "deposit_withdraw", "Deposit then withdraw with little play"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_REVIEW = "in_review", "In review"
    RESOLVED = "resolved", "Resolved"


#: Labels of the cashier's timeline kinds (registered with ``backoffice.kinds`` with the transaction kinds).
TIMELINE_KIND_LABELS = {
    "cashier.deposit_initiated": "Deposit started",
    "cashier.deposit_confirmed": "Deposit confirmed",
    "cashier.deposit_failed": "Deposit failed",
    "cashier.deposit_expired": "Deposit expired",
    "cashier.adjustment": "Manual adjustment",
    "cashier.withdrawal_requested": "Withdrawal requested",
    "cashier.withdrawal_approved": "Withdrawal approved",
    "cashier.withdrawal_first_approval": "Withdrawal: first approval",
    "cashier.withdrawal_rejected": "Withdrawal rejected",
    "cashier.withdrawal_paid": "Withdrawal paid out",
    "cashier.withdrawal_failed": "Withdrawal payout failed",
    "cashier.aml_flag": "AML flag",
    "cashier.aml_case_resolved": "AML case resolved",
}
