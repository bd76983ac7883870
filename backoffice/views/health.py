"""``/healthz``: database, cache (Redis) and Celery worker, as JSON; 200 when all pass, else 503."""

from __future__ import annotations

import time
import uuid

import structlog
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from backoffice.celery import app

log = structlog.get_logger(__name__)


def _check_database() -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()


def _check_cache() -> None:
    key, value = f"healthz:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("cache round-trip failed")
    cache.delete(key)


def _check_celery() -> None:
    replies = app.control.ping(timeout=1.0, limit=1)  # return on the first reply
    if not replies:
        raise RuntimeError("no Celery worker answered")


CHECKS = {"database": _check_database, "cache": _check_cache, "celery": _check_celery}


@never_cache
def healthz(request):
    results, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
            results[name] = {"status": "ok"}
        except Exception as exc:  # any failure of a dependency is a failed check, not a crash
            healthy = False
            # The public answer names the failure's type only; the details go to the log.
            log.warning("healthz.check_failed", check=name, error=str(exc)[:500])
            results[name] = {"status": "error", "error": type(exc).__name__}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return JsonResponse({"status": "ok" if healthy else "error", "checks": results}, status=200 if healthy else 503)
