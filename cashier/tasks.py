"""Celery tasks of the cashier: thin, idempotent, by id."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def payout_send_task(withdrawal_id: int) -> None:
    from cashier.services.withdrawals import payout_send

    payout_send(withdrawal_id=withdrawal_id)


@shared_task
def payouts_requeue() -> None:
    from cashier.services.withdrawals import withdrawals_stuck

    for pk in withdrawals_stuck():
        payout_send_task.delay(pk)


@shared_task
def deposits_expire() -> int:
    from cashier.services.deposits import deposits_expire as expire

    return expire()


@shared_task(acks_late=True)
def simulated_gateway_deliver(deposit_id: int) -> str:
    from cashier.simulator import deposit_deliver

    return deposit_deliver(deposit_id=deposit_id)


@shared_task(acks_late=True)
def simulated_payout_deliver(withdrawal_id: int) -> str:
    from cashier.simulator import payout_deliver

    return payout_deliver(withdrawal_id=withdrawal_id)
