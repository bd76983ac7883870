"""Production settings: `check --deploy` is clean, and missing secrets stop start-up with a clear error."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "backoffice.settings.production",
    "SECRET_KEY": "x" * 20 + "-production-like-secret-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "backoffice.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/backoffice_deploycheck",
}


def _run(env_overrides, *args):
    env = {k: v for k, v in os.environ.items() if k not in PROD_ENV and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_check_deploy_is_clean():
    result = _run(PROD_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_is_a_clear_startup_error():
    env = {k: v for k, v in PROD_ENV.items() if k != "SECRET_KEY"}
    result = _run(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY is required in production" in result.stderr
