"""The one place that reads the process environment (django-environ).

Every setting that differs between machines comes from here, so that ``README.md``'s table of
variables is the complete list. Defaults are safe for local development only; production settings
demand the secrets explicitly and fail at start-up without them.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# A local .env file is read when present (never committed; see .env.example).
_dotenv = BASE_DIR / ".env"
if _dotenv.is_file():
    environ.Env.read_env(str(_dotenv), overwrite=False)
