"""Reliability: postings from several processes, the same key raced, a worker killed mid-posting.

These tests commit for real (``transaction=True``) and fork worker processes that open their own
database connections (the parent closes its connections before forking so none is shared).
"""

import multiprocessing as mp
import os
import random
import signal
import time
from decimal import Decimal

import pytest
from django.db import connections, transaction

from cashier.choices import AccountKind
from cashier.models import Account, LedgerTransaction
from cashier.services import InsufficientFunds, house_account, ledger_post, player_account
from tests.cashier.conftest import fund, ledger_ok
from tests.factories import PlayerFactory

pytestmark = pytest.mark.django_db(transaction=True)
CTX = mp.get_context("fork")


def _run(target, args_list):
    connections.close_all()
    procs = [CTX.Process(target=target, args=args) for args in args_list]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    return [p.exitcode for p in procs]


def _transfer_worker(worker: int, player_ids: list[int], n: int, queue):
    """Random transfers between players and bets to the house; report what was refused."""
    from players.models import Player

    rng = random.Random(worker)
    players = list(Player.objects.filter(pk__in=player_ids))
    accounts = [player_account(player=p, kind=AccountKind.PLAYER_CASH) for p in players]
    ok = refused = 0
    errors = []
    for i in range(n):
        a, b = rng.sample(accounts, 2)
        amount = Decimal(rng.randint(1, 3000)) / 100
        other = b if rng.random() < 0.5 else house_account(currency="EUR")
        try:
            ledger_post(idempotency_key=f"w{worker}:{i}", kind="test.transfer", lines=[(a, -amount), (other, amount)])
            ok += 1
        except InsufficientFunds:
            refused += 1
        except Exception as exc:  # anything else (deadlock, serialization) is a failure of the test
            errors.append(repr(exc))
    connections.close_all()
    queue.put((ok, refused, errors))


def test_concurrent_postings_from_several_processes():
    players = [PlayerFactory(currency="EUR") for _ in range(5)]
    for p in players:
        fund(p, "200")
    total_before = sum(Account.objects.filter(player__in=players).values_list("balance", flat=True))
    queue = CTX.Queue()
    codes = _run(_transfer_worker, [(w, [p.pk for p in players], 150, queue) for w in range(4)])
    results = [queue.get(timeout=10) for _ in range(4)]
    assert codes == [0, 0, 0, 0]
    assert [e for r in results for e in r[2]] == []
    posted = sum(r[0] for r in results)
    assert LedgerTransaction.objects.filter(kind="test.transfer").count() == posted
    balances = list(Account.objects.filter(player__in=players).values_list("balance", flat=True))
    assert min(balances) >= 0
    house = sum(Account.objects.filter(kind="house", currency="EUR").values_list("balance", flat=True))
    assert sum(balances) + house == total_before
    ledger_ok()


def _same_key_worker(player_id: int, barrier, queue):
    from players.models import Player

    player = Player.objects.get(pk=player_id)
    a = player_account(player=player, kind=AccountKind.PLAYER_CASH)
    h = house_account(currency="EUR")
    barrier.wait()
    result = ledger_post(idempotency_key="raced-key", kind="test.bet", lines=[(a, Decimal("-7")), (h, Decimal("7"))])
    connections.close_all()
    queue.put((result.transaction.pk, result.created))


def test_same_key_raced_from_several_connections_posts_once():
    player = PlayerFactory(currency="EUR")
    fund(player, "100")
    barrier, queue = CTX.Barrier(6), CTX.Queue()
    codes = _run(_same_key_worker, [(player.pk, barrier, queue)] * 6)
    results = [queue.get(timeout=10) for _ in range(6)]
    assert codes == [0] * 6
    assert len({pk for pk, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Account.objects.get(player=player, kind="player_cash").balance == Decimal("93")
    ledger_ok()


def _killed_worker(player_id: int, started):
    from players.models import Player

    player = Player.objects.get(pk=player_id)
    a = player_account(player=player, kind=AccountKind.PLAYER_CASH)
    h = house_account(currency="EUR")
    with transaction.atomic():
        ledger_post(idempotency_key="killed", kind="test.bet", lines=[(a, Decimal("-40")), (h, Decimal("40"))])
        started.set()
        time.sleep(60)  # killed here: entries written, balances updated, nothing committed


def test_worker_killed_mid_posting_leaves_nothing_partial():
    player = PlayerFactory(currency="EUR")
    fund(player, "100")
    started = CTX.Event()
    connections.close_all()
    proc = CTX.Process(target=_killed_worker, args=(player.pk, started))
    proc.start()
    assert started.wait(30)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)
    assert not LedgerTransaction.objects.filter(idempotency_key="killed").exists()
    assert Account.objects.get(player=player, kind="player_cash").balance == Decimal("100")
    # The row locks died with the connection: the next posting goes through at once.
    a = player_account(player=player, kind=AccountKind.PLAYER_CASH)
    ledger_post(idempotency_key="killed", kind="test.bet",
                lines=[(a, Decimal("-40")), (house_account(currency="EUR"), Decimal("40"))])
    assert Account.objects.get(pk=a.pk).balance == Decimal("60")
    ledger_ok()
