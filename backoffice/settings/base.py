"""Settings shared by every environment. Environment-specific modules import * from here."""

from datetime import timedelta

from backoffice.env import BASE_DIR, env

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

OPERATOR_NAME = env.str("OPERATOR_NAME", default="Demo Operator Ltd")
BASE_CURRENCY = env.str("BASE_CURRENCY", default="EUR")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "django_celery_beat",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "backoffice",
    "players",
    "cashier",
    "bonuses",
    "games",
    "sportsbook",
    "reports",
]

AUTH_USER_MODEL = "backoffice.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "backoffice.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "backoffice.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Signed machine APIs (wallet, payment webhooks, lobby) are served with this stack instead (backoffice/handlers.py).
API_PATH_PREFIX = "/api/"
API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "backoffice.middleware.RequestContextMiddleware",
]
API_URLCONF = "backoffice.api_urls"  # their URLs (included as they are by ROOT_URLCONF)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]

ROOT_URLCONF = "backoffice.urls"
WSGI_APPLICATION = "backoffice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backoffice.context_processors.shell",
                "backoffice.context_processors.export_notices",
            ],
            "builtins": ["backoffice.templatetags.backoffice"],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/backoffice")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True  # a backstop only: services own their transactions
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# Lets a server-side-binding cursor prepare its statement (psycopg ignores ``execute(..., prepare=True)`` while
# this is None, Django's default). Django's own cursors bind on the client and never prepare, so only the
# hot paths that ask for it are affected: ledger_post (cashier_post) and the wallet's fast path. Needs a
# session-level connection: behind PgBouncer in transaction mode use 1.21+ with max_prepared_statements.
DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="bo"),
    }
}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)  # idle expiry...
SESSION_SAVE_EVERY_REQUEST = True  # ...sliding: every request pushes the expiry forward
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "backoffice.views.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
FORMAT_MODULE_PATH = ["backoffice.formats"]  # ISO dates, 24-hour times (backoffice/formats/en_GB)
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Login lockout (django-axes) -------------------------------------------------------------
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]  # an attacked account, and a spraying source
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
PROXY_COUNT = env.int("PROXY_COUNT", default=0)  # trusted reverse proxies in front of the app
AXES_CLIENT_IP_CALLABLE = "backoffice.middleware.client_ip"  # the same client IP as the audit log

# --- Two-factor (django-otp) -----------------------------------------------------------------
OTP_TOTP_ISSUER = env.str("OTP_ISSUER", default=OPERATOR_NAME)
REQUIRE_2FA_FOR_STAFF = env.bool("REQUIRE_2FA_FOR_STAFF", default=True)

# --- Object permissions (django-guardian) ----------------------------------------------------
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous visitors have no permissions
GUARDIAN_RAISE_403 = False
GUARDIAN_AUTO_PREFETCH = False

# --- Content-Security-Policy (django-csp 4) --------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Tables ----------------------------------------------------------------------------------
DJANGO_TABLES2_TEMPLATE = "partials/tables2.html"
LIST_PAGE_SIZE = 50
LIST_EXACT_COUNT_LIMIT = 10_000  # above this, list pages show the planner's estimate
EXPORT_MAX_ROWS = 1_000_000
# Exports of more rows than this (counted like the list's pager) run as a Celery job into EXPORT_DIR, which
# the web and worker processes must share; the user downloads the file from "My exports".
EXPORT_INLINE_MAX_ROWS = env.int("EXPORT_INLINE_MAX_ROWS", default=20_000)
EXPORT_DIR = env.str("EXPORT_DIR", default=str(BASE_DIR / "var" / "exports"))
EXPORT_PROGRESS_EVERY = 5_000  # rows between two progress updates (the job's heartbeat)
EXPORT_JOB_STALE_MINUTES = env.int("EXPORT_JOB_STALE_MINUTES", default=30)  # no heartbeat for this long: failed
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=7)  # files of finished jobs are deleted after this
EXPORT_JOB_TIME_LIMIT = env.int("EXPORT_JOB_TIME_LIMIT", default=45 * 60)  # seconds; below the broker's 1 h redelivery

# --- Celery ----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=14 * 60)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_RESULT_EXPIRES = None  # no result backend, so no daily backend_cleanup task
# Every periodic task of the product is declared here, and only here.
CELERY_BEAT_SCHEDULE = {
    "audit-chain-anchor": {"task": "backoffice.tasks.audit_chain_anchor", "schedule": 300.0},
    "backoffice-export-jobs-sweep": {"task": "backoffice.tasks.export_jobs_sweep", "schedule": 300.0},
    "players-rg-limits-apply-matured": {"task": "players.tasks.rg_limits_apply_matured", "schedule": 300.0},
    "players-segment-counts-refresh": {"task": "players.tasks.segment_counts_refresh", "schedule": 3600.0},
    "cashier-deposits-expire": {"task": "cashier.tasks.deposits_expire", "schedule": 60.0},
    "cashier-payouts-requeue": {"task": "cashier.tasks.payouts_requeue", "schedule": 300.0},
    "cashier-gateway-status-sweep": {"task": "cashier.tasks.gateway_status_sweep", "schedule": 60.0},
    "games-rounds-interrupt-stale": {"task": "games.tasks.rounds_interrupt_stale", "schedule": 3600.0},
}
# Cashier: system-account shards per currency (hot house design, docs/architecture.md "Ledger"), and how long
# a deposit may wait for its gateway before it expires.
CASHIER_SYSTEM_SHARDS = env.int("CASHIER_SYSTEM_SHARDS", default=16)
CASHIER_DEPOSIT_EXPIRY_MINUTES = env.int("CASHIER_DEPOSIT_EXPIRY_MINUTES", default=30)
# Deadlines of what waits on a gateway (docs/operations.md, "Nothing waits forever"): a pending deposit's answer
# is due M minutes after it was handed over, a payout's N minutes after it was sent; past that the sweep asks the
# gateway for the status every few minutes, and after K queries that settle nothing the payment lands in the
# needs-attention queue.
CASHIER_DEPOSIT_ANSWER_MINUTES = env.int("CASHIER_DEPOSIT_ANSWER_MINUTES", default=10)
CASHIER_PAYOUT_ANSWER_MINUTES = env.int("CASHIER_PAYOUT_ANSWER_MINUTES", default=15)
CASHIER_STATUS_QUERY_INTERVAL_MINUTES = env.int("CASHIER_STATUS_QUERY_INTERVAL_MINUTES", default=5)
CASHIER_STATUS_QUERY_ATTEMPTS = env.int("CASHIER_STATUS_QUERY_ATTEMPTS", default=3)

# --- Logging (structlog over the standard library) -------------------------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="console")  # console | json
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": "backoffice.logging.formatter_factory",
            "fmt": LOG_FORMAT,
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- Integrations ----------------------------------------------------------------------------
SIGNATURE_MAX_SKEW_SECONDS = 300

# --- Games and the seamless-wallet API (games/) ----------------------------------------------
GAME_SESSION_IDLE_SECONDS = env.int("GAME_SESSION_IDLE_SECONDS", default=30 * 60)
WALLET_MAX_BODY_BYTES = env.int("WALLET_MAX_BODY_BYTES", default=16 * 1024)
# Bets and wins in their common case as one database call (games/sql/games_wallet_*.sql); off: always the Python path.
WALLET_FAST_PATH = env.bool("WALLET_FAST_PATH", default=True)

