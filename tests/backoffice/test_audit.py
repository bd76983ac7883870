"""The audit log: chained hashes, append-only table, tamper detection by audit_verify."""

import itertools
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from backoffice.models import AuditChainHead, AuditEvent
from backoffice.services import GENESIS_HASH, audit_chain_verify, audit_record


def _append(n, **kwargs):
    return [audit_record(action="test.event", object_type="x.y", object_id=str(i), after={"i": i}, **kwargs)
            for i in range(n)]


def _tamper(sql, params=()):
    """Bypass the append-only trigger the way a database superuser could."""
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        cur.execute(sql, params)
        cur.execute("SET session_replication_role = DEFAULT")


@pytest.mark.django_db
def test_rows_are_chained_and_verify_clean(admin_user):
    start = AuditChainHead.objects.get().seq
    events = _append(5, actor=admin_user, reason="because")
    assert [e.seq for e in events] == list(range(start + 1, start + 6))
    for prev, cur in itertools.pairwise(events):
        assert cur.prev_hash == prev.hash
    report = audit_chain_verify()
    assert report.ok, report.problems
    assert report.head_hash == events[-1].hash
    call_command("audit_verify")


@pytest.mark.django_db
def test_first_row_links_to_genesis():
    first = AuditEvent.objects.order_by("seq").first() or _append(1)[0]
    assert first.seq == 1 and first.prev_hash == GENESIS_HASH


@pytest.mark.django_db
def test_decimal_and_date_values_hash_stably(admin_user):
    from datetime import date
    from decimal import Decimal

    audit_record(actor=admin_user, action="test.money", before={"amount": Decimal("10.10"), "d": date(2026, 1, 2)},
                 after={"amount": Decimal("12.50")})
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_update_and_delete_are_refused_by_the_database():
    event = _append(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.reason == ""


@pytest.mark.django_db
def test_edited_row_is_detected():
    events = _append(4)
    _tamper("UPDATE backoffice_auditevent SET after = %s WHERE id = %s", ['{"i": 999}', events[1].pk])
    report = audit_chain_verify()
    assert any(f"row {events[1].seq}: content does not match" in p for p in report.problems)
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_rewritten_hash_breaks_the_next_link():
    events = _append(4)
    _tamper("UPDATE backoffice_auditevent SET reason = 'x', hash = %s WHERE id = %s", ["f" * 64, events[1].pk])
    problems = audit_chain_verify().problems
    assert any(f"row {events[2].seq}: link to the previous row is broken" in p for p in problems)


@pytest.mark.django_db
def test_deleted_middle_row_is_detected():
    events = _append(4)
    _tamper("DELETE FROM backoffice_auditevent WHERE id = %s", [events[1].pk])
    problems = audit_chain_verify().problems
    assert any("missing (deleted)" in p for p in problems)


@pytest.mark.django_db
def test_truncated_tail_is_detected():
    events = _append(3)
    _tamper("DELETE FROM backoffice_auditevent WHERE id = %s", [events[-1].pk])
    problems = audit_chain_verify().problems
    assert any("tail removed" in p for p in problems)


@pytest.mark.django_db
def test_rolled_back_transaction_leaves_no_row_and_no_gap():
    before = AuditChainHead.objects.get().seq if AuditChainHead.objects.exists() else 0
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="test.rollback")
        raise RuntimeError("boom")
    _append(1)
    assert AuditChainHead.objects.get().seq == before + 1
    assert audit_chain_verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain():
    errors = []

    def worker():
        try:
            for i in range(15):
                with transaction.atomic():
                    audit_record(action="test.concurrent", object_id=str(i))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert AuditEvent.objects.filter(action="test.concurrent").count() == 60
    report = audit_chain_verify()
    assert report.ok, report.problems
