"""FX rates (manual, CSV import) and reconciliation (command and upload page)."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from cashier.models import FxRate, ReconciliationRun
from cashier.services import deposit_confirm, deposit_initiate
from cashier.services.fx import fx_import, fx_rate, to_base
from tests.factories import OperatorFactory, PlayerFactory

pytestmark = pytest.mark.django_db


def test_fx_import_and_lookup(settings):
    settings.BASE_CURRENCY = "EUR"
    count, problems = fx_import(data=b"currency,rate,valid_from\nUSD,0.90,2026-01-01\nUSD,0.95,2026-06-01\n"
                                     b"GBP,1.15,2026-01-01T00:00:00\n")
    assert (count, problems) == (3, [])
    assert fx_rate("USD", timezone.make_aware(dt.datetime(2026, 3, 1))) == Decimal("0.90")
    assert fx_rate("USD") == Decimal("0.95")
    assert to_base(Decimal("100"), "USD") == Decimal("95.00")
    assert fx_rate("EUR") == 1 and fx_rate("JPY") is None
    # re-import of the same rows adds nothing
    assert fx_import(data=b"currency,rate,valid_from\nUSD,0.90,2026-01-01\n") == (0, [])


@pytest.mark.parametrize("data,message", [
    (b"currency,rate\nUSD,1\n", "Missing column"),
    (b"\xff\xfe\x00bad", "not UTF-8"),
    (b"currency,rate,valid_from\nXXX,1,2026-01-01\n", "unknown or base currency"),
    (b"currency,rate,valid_from\nUSD,abc,2026-01-01\n", "not a number"),
    (b"currency,rate,valid_from\nUSD,-1,2026-01-01\n", "positive"),
    (b"currency,rate,valid_from\nUSD,NaN,2026-01-01\n", "not a number"),
    (b"currency,rate,valid_from\nUSD,1,yesterday\n", "not a date"),
    (b"currency,rate,valid_from\nUSD,1,2026-01-01\nUSD,1.1,2026-01-01\n", "duplicate"),
    (b"currency,rate,valid_from\n", "no rows"),
])
def test_fx_import_bad_files_import_nothing(data, message):
    count, problems = fx_import(data=data)
    assert count == 0 and any(message in p for p in problems), problems
    assert not FxRate.objects.exists()


def test_import_fx_command(tmp_path):
    f = tmp_path / "fx.csv"
    f.write_text("currency,rate,valid_from\nUSD,0.9,2026-01-01\n")
    out = StringIO()
    call_command("import_fx", str(f), stdout=out)
    assert "Imported 1" in out.getvalue()
    f.write_text("currency,rate,valid_from\nUSD,x,2026-01-01\n")
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_fx", str(f), stdout=StringIO())


@pytest.fixture
def settled(method, no_simulator):
    player = PlayerFactory(currency="EUR")
    deposits = []
    for amount in ("10.00", "20.00", "30.00"):
        d = deposit_initiate(player=player, method=method, amount=amount)
        deposit_confirm(deposit_id=d.pk, amount=Decimal(amount), currency="EUR")
        deposits.append(d)
    return deposits


def settlement(deposits):
    a, b, _missing_theirs = deposits
    return (f"reference,amount,currency\n{a.reference},10.00,EUR\n{b.reference},21.00,EUR\nD-UNKNOWN,5.00,EUR\n"
            f"{a.reference},10.00,EUR\n,1,EUR\nX,abc,EUR\n").encode()


def test_reconcile_command(settled, gateway, tmp_path):
    f = tmp_path / "settle.csv"
    f.write_bytes(settlement(settled))
    out = StringIO()
    call_command("reconcile", gateway.code, str(f), "--output", str(tmp_path / "out.csv"), stdout=out)
    run = ReconciliationRun.objects.get()
    assert run.summary == {"matched": 1, "mismatched": 1, "missing_ours": 1, "missing_theirs": 1, "unreadable": 3}
    assert "Differences found" in out.getvalue()
    assert "missing_theirs" in (tmp_path / "out.csv").read_text()
    with pytest.raises(CommandError, match="No gateway"):
        call_command("reconcile", "nope", str(f), stdout=StringIO())
    f.write_bytes(b"ref,amount\nx,1\n")
    with pytest.raises(CommandError, match="Missing column"):
        call_command("reconcile", gateway.code, str(f), stdout=StringIO())
    f.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("reconcile", gateway.code, str(f), stdout=StringIO())


def test_reconcile_upload_page_and_download(settled, gateway, login):
    client = login(OperatorFactory(role="Finance"))
    url = reverse("cashier:reconciliationrun_add")
    r = client.post(url, {"gateway": gateway.pk, "file": SimpleUploadedFile("s.csv", settlement(settled))})
    assert r.status_code == 302
    run = ReconciliationRun.objects.get()
    page = client.get(run.get_absolute_url()).content.decode()
    assert "mismatch" in page and "D-UNKNOWN" in page
    csv = client.get(run.get_absolute_url(), {"export": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and b"missing_ours" in b"".join(csv.streaming_content)
    bad = client.post(url, {"gateway": gateway.pk, "file": SimpleUploadedFile("s.csv", b"a,b\n1,2\n")})
    assert bad.status_code == 200 and "Missing column" in bad.content.decode()
    assert ReconciliationRun.objects.count() == 1


def test_reconciliation_download_is_audited_and_cleaned_like_every_export(settled, gateway, login):
    """The run's CSV goes through the export path: an audit row, and a settlement file's formula neutralised."""
    from backoffice.models import AuditEvent

    user = OperatorFactory(role="Finance")
    client = login(user)
    hostile = settlement(settled) + b'=HYPERLINK("http://evil"),1.00,EUR\n'
    client.post(reverse("cashier:reconciliationrun_add"),
                {"gateway": gateway.pk, "file": SimpleUploadedFile("s.csv", hostile)})
    run = ReconciliationRun.objects.get()
    body = b"".join(client.get(run.get_absolute_url(), {"export": "csv"}).streaming_content).decode()
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert (event.actor, event.object_type, event.object_id) == (user, "cashier.reconciliationrun", str(run.pk))
    assert event.after == {"format": "csv", "query": "export=csv"}


def test_fx_import_page_and_liability_in_base_currency(login, settings):
    settings.BASE_CURRENCY = "EUR"
    client = login(OperatorFactory(role="Finance"))
    url = reverse("cashier:fxrate_import")
    bad = client.post(url, {"file": SimpleUploadedFile("fx.csv", b"currency,rate,valid_from\nUSD,abc,2026-01-01\n")})
    assert bad.status_code == 200 and "not a number" in bad.content.decode()
    ok = client.post(url, {"file": SimpleUploadedFile("fx.csv", b"currency,rate,valid_from\nUSD,0.5,2020-01-01\n")})
    assert ok.status_code == 302
    from tests.cashier.conftest import fund

    fund(PlayerFactory(currency="USD"), "100")
    page = client.get(reverse("cashier:liability")).content.decode()
    assert "50.00 EUR" in page
