import structlog
from celery import shared_task
from django.conf import settings

from backoffice import export
from backoffice.models import AuditChainHead

log = structlog.get_logger(__name__)


@shared_task(ignore_result=True)
def audit_chain_anchor() -> None:
    """Log the audit chain's head: the log stream becomes an external anchor that a rewrite cannot edit."""

    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None:
        log.info("audit.anchor", seq=head.seq, hash=head.hash)


# Its own time limits: a million rows take longer than the global 14 minutes (docs/performance.md, Exports), and
# stay under the Redis broker's visibility timeout (1 h), after which an unacknowledged task is handed out again.
@shared_task(name="backoffice.tasks.export_job_run", ignore_result=True, acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=settings.EXPORT_JOB_TIME_LIMIT, time_limit=settings.EXPORT_JOB_TIME_LIMIT + 60)
def export_job_run_task(job_id: int) -> None:
    """Write an export job's file. Idempotent (``export.export_job_run``): a finished job is left alone and
    a redelivered one (its worker killed halfway) starts over and overwrites its file."""
    export.export_job_run(job_id=job_id)


@shared_task(ignore_result=True)
def export_jobs_sweep() -> None:
    """Fail export jobs whose worker stopped, delete old export files."""
    export.export_jobs_sweep()
