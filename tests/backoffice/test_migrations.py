"""Every model change has its migration.

``makemigrations --check`` runs here, inside the suite, against the test database (which exists): run from
the Makefile with the test settings it checked the history of a development database that a fresh machine
does not have yet, and warned.
"""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_its_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Model changes without a migration:\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()
