"""Local development and `make demo`: debug on, a fixed development secret, localhost only."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="local-development-only-not-a-secret-0123456789abcdefghij")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "0.0.0.0"])  # noqa: S104

WHITENOISE_USE_FINDERS = True  # serve static/ straight from the source folders (no collectstatic)
WHITENOISE_AUTOREFRESH = True
