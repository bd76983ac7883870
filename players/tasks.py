"""Periodic housekeeping of the players app (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task(acks_late=True)
def rg_limits_apply_matured() -> int:
    from players.services import rg_limits_apply_matured

    return rg_limits_apply_matured()


@shared_task(acks_late=True)
def segment_counts_refresh() -> int:
    from players.services import segment_counts_refresh

    return segment_counts_refresh()
