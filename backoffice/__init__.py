"""The project package: settings, Celery app, URLs, roles, permission scoping, audit log, UI shell."""

from .celery import app as celery_app

__all__ = ("celery_app",)
