"""/healthz with a real Celery worker, and without one."""

import pytest

from backoffice.views import health


@pytest.mark.django_db(transaction=True)
def test_healthz_all_green_with_a_worker(client, celery_worker):
    response = client.get("/healthz")
    data = response.json()
    assert response.status_code == 200, data
    assert {k: v["status"] for k, v in data["checks"].items()} == {"database": "ok", "cache": "ok", "celery": "ok"}


@pytest.mark.django_db
def test_healthz_reports_a_failed_dependency(client, monkeypatch):
    def no_worker():
        raise RuntimeError("no Celery worker answered")

    monkeypatch.setitem(health.CHECKS, "celery", no_worker)
    response = client.get("/healthz")
    assert response.status_code == 503
    celery = response.json()["checks"]["celery"]
    assert celery == {"status": "error", "error": "RuntimeError", "ms": celery["ms"]}  # no internals leaked
