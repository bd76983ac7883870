"""Periodic housekeeping of the players app (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from players import services


@shared_task(acks_late=True)
def rg_limits_apply_matured() -> int:
    return services.rg_limits_apply_matured()


@shared_task(acks_late=True)
def segment_counts_refresh() -> int:
    return services.segment_counts_refresh()
