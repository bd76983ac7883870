"""Cashier objects for the permission matrix (imported by tests/backoffice/test_permission_matrix.py)."""

from tests import matrix


@matrix.objects_for("cashier.ledgertransaction")
def _transactions(world):
    from tests.cashier.conftest import fund

    return {k: fund(world[name], "10") for k, name in (("a", "player_a"), ("c", "player_c"), ("foreign", "player_b"))}


@matrix.objects_for("cashier.account")
def _accounts(world):
    from cashier.choices import AccountKind
    from cashier.services import player_account

    return {k: player_account(player=world[name], kind=AccountKind.PLAYER_CASH)
            for k, name in (("a", "player_a"), ("c", "player_c"), ("foreign", "player_b"))}


def _payments(world):
    """One gateway/method and, per matrix player, a confirmed deposit and a withdrawal under review."""
    from decimal import Decimal

    from cashier.models import PaymentGateway, PaymentMethod
    from cashier.services import deposit_confirm, deposit_initiate, withdrawal_request

    if "cashier" not in world:
        gateway = PaymentGateway.objects.create(code="mx", name="Matrix Pay")
        world["cashier"] = {"gateway": gateway, "deposits": {}, "withdrawals": {}}
        for key, name in (("a", "player_a"), ("c", "player_c"), ("foreign", "player_b")):
            player = world[name]
            method, _ = PaymentMethod.objects.get_or_create(gateway=gateway, code="card", currency=player.currency,
                                                            defaults={"name": "Card"})
            d = deposit_initiate(player=player, method=method, amount="100")
            deposit_confirm(deposit_id=d.pk, amount=Decimal("100"), currency=player.currency)
            world["cashier"]["deposits"][key] = d
            world["cashier"]["withdrawals"][key] = withdrawal_request(player=player, method=method, amount="20")
        world["cashier"]["method"] = method
    return world["cashier"]


def _same(obj):
    return {"a": obj, "c": obj, "foreign": obj}


@matrix.objects_for("cashier.deposit")
def _deposits(world):
    return _payments(world)["deposits"]


@matrix.objects_for("cashier.withdrawal")
def _withdrawals(world):
    return _payments(world)["withdrawals"]


@matrix.objects_for("cashier.paymentgateway")
def _gateways(world):
    return _same(_payments(world)["gateway"])


@matrix.objects_for("cashier.paymentmethod")
def _methods(world):
    return _same(_payments(world)["method"])


@matrix.objects_for("cashier.amlcase")
def _cases(world):
    from cashier.models import AmlCase

    _payments(world)
    case = AmlCase.objects.first()  # the withdrawals above tripped deposit-then-withdraw
    return _same(case)


@matrix.objects_for("cashier.autoapprovalrule")
def _rules(world):
    from cashier.models import AutoApprovalRule

    return _same(AutoApprovalRule.objects.get_or_create(name="mx", currency="EUR", defaults={"max_amount": 100})[0])


@matrix.objects_for("cashier.withdrawalpolicy")
def _policies(world):
    from cashier.models import WithdrawalPolicy

    return _same(WithdrawalPolicy.objects.get_or_create(currency="EUR")[0])


@matrix.objects_for("cashier.amlthreshold")
def _thresholds(world):
    from cashier.models import AmlThreshold

    return _same(AmlThreshold.objects.get_or_create(currency="EUR")[0])


@matrix.objects_for("cashier.fxrate")
def _fx(world):
    from django.utils import timezone

    from cashier.models import FxRate

    return _same(FxRate.objects.get_or_create(currency="USD", valid_from=timezone.now().replace(microsecond=0),
                                              defaults={"rate": "0.92"})[0])


@matrix.objects_for("cashier.reconciliationrun")
def _runs(world):
    from cashier.models import ReconciliationRun

    gateway = _payments(world)["gateway"]
    return _same(ReconciliationRun.objects.get_or_create(gateway=gateway, file_name="x.csv")[0])


@matrix.objects_for("cashier.attentionitem")
def _attention(world):
    from cashier.models import AttentionItem

    deposits = _payments(world)["deposits"]
    return {k: AttentionItem.objects.get_or_create(deposit=d, resolved_at=None,
                                                   defaults={"reason": "The gateway did not answer."})[0]
            for k, d in deposits.items()}


@matrix.objects_for("cashier.adjustmentpolicy")
def _adjustment_policies(world):
    from cashier.models import AdjustmentPolicy

    return _same(AdjustmentPolicy.objects.get_or_create(currency="EUR")[0])


@matrix.objects_for("cashier.adjustment")
def _adjustments(world):
    """Per matrix player, an adjustment above the four-eyes threshold, pending (approve and reject apply)."""
    from cashier.models import Adjustment
    from cashier.services import adjustment_request

    if "adjustments" not in world:
        world["adjustments"] = {
            key: Adjustment.objects.filter(player=world[name], status="pending").first() or adjustment_request(
                player=world[name], amount="5000", reason_code="goodwill", reason="zq-matrix",
                actor=world["operators"]["Finance"] if "operators" in world else None, actor_label="matrix")
            for key, name in (("a", "player_a"), ("c", "player_c"), ("foreign", "player_b"))}
    return world["adjustments"]
