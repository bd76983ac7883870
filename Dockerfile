# One image for web, Celery worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim

# PYTHONPATH=/app: the code is imported from /app, not from the copy `pip install .` puts in
# site-packages, because settings derive BASE_DIR (templates/, static/, var/) from backoffice/env.py's
# location. DJANGO_SETTINGS_MODULE: manage.py and backoffice/celery.py default to local settings.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=backoffice.settings.production

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Third-party dependencies first, cached until pyproject.toml changes (the package is still empty here).
COPY pyproject.toml ./
RUN pip install .

COPY . .
RUN pip install --no-deps . \
    && SECRET_KEY=build-time-only-not-a-secret-build-time-only-not-a-secret \
       ALLOWED_HOSTS=localhost \
       DATABASE_URL=postgres://build:build@build.invalid:5432/build \
       python manage.py collectstatic --noinput

# Code and collected static files stay root-owned and read-only for the process. Export jobs write their files
# into EXPORT_DIR, a volume shared by web and worker (docker-compose.yml), owned by the process's user.
RUN mkdir -p /var/lib/backoffice/exports && chown app:app /var/lib/backoffice/exports
ENV EXPORT_DIR=/var/lib/backoffice/exports
USER app
EXPOSE 8000
# granian: a Rust HTTP server running the WSGI app on 2 worker processes with 2 threads each (keep-alive, HTTP/1.1
# and 2). Measured against gunicorn's sync and gthread workers, and 2 against 4 threads (2: 8-10% more requests/s and
# less PostgreSQL CPU per request with the database on the same 2 cores), in docs/performance.md (Wallet API).
# With the database on its own machine, more threads per worker may pay: set them in your compose file.
# No access log by default: every wallet call is on record in the database, errors are logged with their request id,
# and a line per request cost ~0.09 ms of a worker's CPU (5% of the wallet API's throughput). GRANIAN_LOG_ACCESS_ENABLED=true
# turns it on (docs/operations.md).
CMD ["granian", "--interface", "wsgi", "backoffice.wsgi:application", "--host", "0.0.0.0", "--port", "8000", \
     "--workers", "2", "--blocking-threads", "2", "--no-ws"]
