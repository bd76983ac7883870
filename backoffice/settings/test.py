"""Test settings: the real PostgreSQL and Redis, a fast hasher, an isolated cache namespace."""

from .base import *  # noqa: F403
from .base import CACHES, env

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-used-anywhere-else-0123456789abcdef"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES["default"]["LOCATION"] = env.str("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES["default"]["KEY_PREFIX"] = "bo-test"
CELERY_BROKER_URL = env.str("TEST_CELERY_BROKER_URL", default="redis://127.0.0.1:6379/14")
LOG_LEVEL = "WARNING"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

WHITENOISE_USE_FINDERS = True  # serve static/ straight from the source folders (no collectstatic)
WHITENOISE_AUTOREFRESH = True
