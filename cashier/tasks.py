"""Celery tasks of the cashier: thin, idempotent, by id."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from cashier.services import gateway_status
from cashier.services.deposits import deposits_expire as expire
from cashier.services.withdrawals import payout_send, withdrawals_stuck


@shared_task(acks_late=True)
def payout_send_task(withdrawal_id: int) -> None:
    payout_send(withdrawal_id=withdrawal_id)


@shared_task
def payouts_requeue() -> None:
    for pk in withdrawals_stuck():
        payout_send_task.delay(pk)


@shared_task
def deposits_expire() -> int:
    return expire()


@shared_task
def gateway_status_sweep(now: str | None = None) -> dict:
    """Ask the gateways about overdue deposits and payouts (beat, every minute). ``now``: an ISO time standing
    for the clock (tests and drills move it forward)."""
    return gateway_status.gateway_status_sweep(now=dt.datetime.fromisoformat(now) if now else None)


@shared_task(acks_late=True)
def simulated_gateway_deliver(deposit_id: int) -> str:
    # Imported here: the simulator dispatches these tasks.
    from cashier.simulator import deposit_deliver  # noqa: PLC0415

    return deposit_deliver(deposit_id=deposit_id)


@shared_task(acks_late=True)
def simulated_payout_deliver(withdrawal_id: int) -> str:
    # Imported here: the simulator dispatches these tasks.
    from cashier.simulator import payout_deliver  # noqa: PLC0415

    return payout_deliver(withdrawal_id=withdrawal_id)
