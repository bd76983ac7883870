"""Cashier demo data: gateways, methods, FX rates, approval rules, and deposits and withdrawals for some
demo players, all through the services (idempotent: deterministic keys, a second run changes nothing)."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from backoffice.exceptions import ApplicationError
from cashier.choices import WithdrawalStatus
from cashier.models import (
    AmlThreshold,
    AutoApprovalRule,
    Deposit,
    FxRate,
    PaymentGateway,
    PaymentMethod,
    WithdrawalPolicy,
)
from cashier.services import (
    deposit_initiate,
    payout_send,
    withdrawal_approve,
    withdrawal_payout_result,
    withdrawal_reject,
    withdrawal_request,
)
from cashier.simulator import deposit_deliver
from players.models import Player

CURRENCIES = ["EUR", "GBP", "SEK", "CAD", "NZD", "USD"]
FX = {"GBP": "1.17", "SEK": "0.087", "CAD": "0.68", "NZD": "0.56", "USD": "0.92", "EUR": "1"}
METHODS = [("card", "Visa / Mastercard", "5", "5000"), ("bank", "Bank transfer", "20", "50000"),
           ("ewallet", "E-wallet", "10", "3000")]


def _reference_data(stdout) -> PaymentGateway:
    sim, created = PaymentGateway.objects.get_or_create(
        code="simpay", defaults={"name": "SimPay (simulated)", "is_simulated": True,
                                 "simulation": {"fail_rate": 0.1, "timeout_rate": 0.05, "duplicate_rate": 0.2,
                                                "payout_fail_rate": 0.05, "delay_seconds": 3}})
    if created:
        stdout.write("  gateway simpay (simulated)")
    PaymentGateway.objects.get_or_create(code="banklink", defaults={"name": "BankLink"})
    for code, name, low, high in METHODS:
        for currency in CURRENCIES:
            PaymentMethod.objects.get_or_create(gateway=sim, code=code, currency=currency, defaults={
                "name": name, "min_amount": Decimal(low), "max_amount": Decimal(high)})
    base = settings.BASE_CURRENCY
    start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=400)
    for currency, rate in FX.items():
        if currency != base:
            FxRate.objects.get_or_create(currency=currency, valid_from=start, defaults={"rate": Decimal(rate),
                                                                                         "source": "demo"})
    for currency in CURRENCIES:
        AutoApprovalRule.objects.get_or_create(name=f"Small {currency}", currency=currency, defaults={
            "max_amount": Decimal("500"), "min_account_age_days": 7})
        AutoApprovalRule.objects.get_or_create(name=f"VIP {currency}", currency=currency, defaults={
            "min_vip_level": 3, "max_amount": Decimal("3000"), "min_account_age_days": 30})
        WithdrawalPolicy.objects.get_or_create(currency=currency, defaults={"four_eyes_above": Decimal("2500")})
        AmlThreshold.objects.get_or_create(currency=currency, defaults={"large_transaction": Decimal("5000")})
    return sim


def seed(stdout) -> list[tuple[str, str]]:
    sim = _reference_data(stdout)
    if Deposit.objects.filter(idempotency_key__startswith="demo-dep-").exists():
        return []  # money flows already seeded: a second run changes nothing
    rng = random.Random(4)
    players = list(Player.objects.filter(username__startswith="demo_", status="active").order_by("id")[:240])
    methods = {(m.code, m.currency): m for m in PaymentMethod.objects.filter(gateway=sim)}

    staff = list(get_user_model().objects.filter(is_active=True, groups__name__in=["Finance", "Administrator"])
                 .distinct().order_by("id")[:2])
    deposits = withdrawals = 0
    for i, player in enumerate(players):
        if player.currency not in CURRENCIES:
            continue
        for n in range(rng.randint(1, 4)):
            code = rng.choice(["card", "card", "ewallet", "bank"])
            amount = Decimal(rng.choice([20, 50, 100, 250, 500, 1000]))
            try:
                d = deposit_initiate(player=player, method=methods[(code, player.currency)], amount=amount,
                                     idempotency_key=f"demo-dep-{player.pk}-{n}", integration="demo")
            except ApplicationError:
                continue  # RG limits, exclusions: refused as they would be
            if d.status in ("initiated", "pending"):
                outcome = rng.choices(["ok", "fail", "timeout"], [85, 10, 5])[0]
                deposit_deliver(deposit_id=d.pk, outcome=outcome)
            deposits += 1
        if i % 3 == 0:
            confirmed = player.deposits.filter(status="confirmed").first()
            if confirmed is None:
                continue
            try:
                w = withdrawal_request(player=player, method=confirmed.method,
                                       amount=min(confirmed.amount, Decimal(rng.choice([20, 40, 80, 150]))),
                                       idempotency_key=f"demo-wd-{player.pk}", integration="demo")
            except ApplicationError:
                continue
            withdrawals += 1
            if w.status == WithdrawalStatus.REQUESTED and staff and i % 2 == 0:
                try:
                    if i % 4 == 0:
                        withdrawal_reject(withdrawal_id=w.pk, actor=staff[0], reason="Demo: documents requested")
                    else:
                        withdrawal_approve(withdrawal_id=w.pk, actor=staff[0])
                except ApplicationError:
                    pass
            w.refresh_from_db()
            if w.status == WithdrawalStatus.APPROVED:
                payout_send(withdrawal_id=w.pk)
                withdrawal_payout_result(withdrawal_id=w.pk, paid=True, integration="gateway:simpay")
    stdout.write(f"  {deposits} deposits, {withdrawals} withdrawals")
    return []
