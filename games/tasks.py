from celery import shared_task

from games.services import rounds_interrupt_stale as interrupt


@shared_task(ignore_result=True)
def rounds_interrupt_stale() -> None:
    """Hourly: rounds left open for a day become interrupted (idempotent: only open rounds change)."""

    interrupt()
