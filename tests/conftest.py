"""Shared fixtures: the real PostgreSQL and Redis, factories, logged-in clients, Chromium for Playwright."""

import contextlib
import os

import pytest
from django.db import connection
from django.test import Client

from tests.factories import AgentFactory, OperatorFactory, PlayerFactory, verify_otp

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop in the test thread

pytest_plugins = ("celery.contrib.pytest",)

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, never a downloaded browser build.
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync"]}


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def login():
    """``login(user)`` returns a test client with ``user`` signed in and, for staff, past two-factor."""

    def _login(user, **client_kwargs) -> Client:
        client = Client(**client_kwargs)
        client.force_login(user)
        verify_otp(client, user)
        return client

    return _login


@pytest.fixture
def admin_user(db):
    return OperatorFactory(role="Administrator", username="admin_t")


@pytest.fixture
def operator(db):
    return OperatorFactory


@pytest.fixture
def agent_factory(db):
    return AgentFactory


@pytest.fixture
def player_factory(db):
    return PlayerFactory


@pytest.fixture(scope="session")
def celery_config():
    from django.conf import settings

    return {"broker_url": settings.CELERY_BROKER_URL, "result_backend": None, "task_ignore_result": True}


@pytest.fixture(scope="session")
def celery_app(celery_config):
    """The project's real Celery app (not the plugin's throw-away one), pointed at the test broker."""
    from backoffice.celery import app

    app.conf.update(celery_config)
    return app


@pytest.fixture(scope="session")
def celery_worker_parameters():
    return {"perform_ping_check": False, "queues": ("celery",)}


@pytest.fixture
def planner_notices():
    """``with planner_notices() as notices:`` collects the notices of Django's connection while PostgreSQL logs
    every planner run to the client (``log_planner_stats``: one "PLANNER STATISTICS" notice per plan made)."""

    @contextlib.contextmanager
    def collecting():
        notices: list[str] = []

        def collect(diag):
            notices.append(diag.message_primary or "")

        connection.ensure_connection()
        raw = connection.connection
        raw.add_notice_handler(collect)
        with connection.cursor() as cur:
            cur.execute("SET log_planner_stats = on")
            cur.execute("SET client_min_messages = log")
        try:
            yield notices
        finally:
            with connection.cursor() as cur:
                cur.execute("RESET log_planner_stats")
                cur.execute("RESET client_min_messages")
            raw.remove_notice_handler(collect)

    return collecting
