"""Production settings. Secrets are required: a missing one stops start-up with a clear error."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env


def _required(name: str, cast=str):
    if not env.str(name, default=""):
        raise ImproperlyConfigured(
            f"The environment variable {name} is required in production (see README.md, Configuration)."
        )
    return env.list(name) if cast is list else env.str(name)


DEBUG = False
SECRET_KEY = _required("SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long in production.")
ALLOWED_HOSTS = _required("ALLOWED_HOSTS", cast=list)
_required("DATABASE_URL")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Trust X-Forwarded-Proto only when a TLS-terminating proxy is declared (PROXY_COUNT > 0); otherwise a client
# talking to gunicorn directly could claim HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PROXY_COUNT else None  # noqa: F405
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING["formatters"]["structured"]["fmt"] = LOG_FORMAT  # noqa: F405
