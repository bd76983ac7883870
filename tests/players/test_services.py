"""Rules of the players services: registration, KYC, status, moves, exclusions, notes, segments, agents."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from backoffice.exceptions import ApplicationError
from backoffice.models import AuditEvent
from players.choices import ExclusionKind, KycStatus, PlayerStatus
from players.models import Agent, KycEvent, Player, RgExclusion, Segment, TimelineEvent
from players.services import (
    agent_limits_set,
    agent_move,
    note_create,
    note_follow_up_done,
    player_create,
    player_credit_set,
    player_kyc_set,
    player_login_allowed,
    player_login_failed,
    player_move,
    player_segments_set,
    player_status_set,
    player_update,
    players_marketable,
    rg_check,
    rg_exclusion_start,
    rg_limit_set,
    rg_reality_check_set,
    rg_usage_record,
    segment_counts_refresh,
)
from tests.factories import AgentFactory, OperatorFactory, PlayerFactory

pytestmark = pytest.mark.django_db
ADULT = date(1990, 5, 1)


def kinds(player):
    return list(TimelineEvent.objects.filter(player=player).order_by("id").values_list("kind", flat=True))


class TestCreate:
    def test_creates_with_audit_and_timeline(self):
        p = player_create(username="Alice", currency="EUR", country="mt", email="A@x.test", date_of_birth=ADULT)
        assert (p.country, p.email) == ("MT", "a@x.test")
        assert kinds(p) == ["players.registered"]
        assert AuditEvent.objects.filter(action="player.create", object_id=str(p.pk)).exists()

    @pytest.mark.parametrize("kwargs, code", [
        ({"username": "alice"}, "duplicate"),
        ({"email": "ALICE@x.test"}, "duplicate_email"),
        ({"date_of_birth": date.today() + timedelta(days=1)}, "date_of_birth"),
        ({"date_of_birth": date.today() - timedelta(days=365 * 17)}, "underage"),
        ({"country": "M1"}, "country"),
        ({"currency": "XXX"}, "currency"),
    ])
    def test_bad_input_changes_nothing(self, kwargs, code):
        player_create(username="alice", currency="EUR", country="MT", email="alice@x.test")
        before = Player.objects.count()
        args = {"username": "bob", "currency": "EUR", "country": "MT", "email": "bob@x.test", **kwargs}
        with pytest.raises(ApplicationError) as exc:
            player_create(**args)
        assert exc.value.code == code
        assert Player.objects.count() == before

    def test_agent_creates_only_in_its_subtree_with_flag(self):
        top = AgentFactory(flags=["add_accounts"])
        child = AgentFactory(parent=top, login=False)
        other = AgentFactory(flags=["add_accounts"])
        p = player_create(username="pph1", currency="USD", country="US", agent=child, actor=top.user)
        assert p.agent == child
        with pytest.raises(ApplicationError):
            player_create(username="pph2", currency="USD", country="US", agent=other, actor=top.user)
        with pytest.raises(ApplicationError):
            player_create(username="pph3", currency="USD", country="US", agent=None, actor=top.user)
        noflag = AgentFactory(parent=top, flags=[])
        with pytest.raises(ApplicationError):
            player_create(username="pph4", currency="USD", country="US", agent=noflag, actor=noflag.user)

    def test_credit_within_agent(self):
        agent = AgentFactory(credit_limit="1000", max_wager="100")
        with pytest.raises(ApplicationError):
            player_create(username="c1", currency="USD", country="US", agent=agent, credit_limit="1001")
        with pytest.raises(ApplicationError):
            player_create(username="c2", currency="EUR", country="US", agent=agent)
        p = player_create(username="c3", currency="USD", country="US", agent=agent, credit_limit="500", max_wager="50")
        with pytest.raises(ApplicationError):
            player_credit_set(player=p, credit_limit="-1", max_wager="1")
        player_credit_set(player=p, credit_limit="900", max_wager="100")
        p.refresh_from_db()
        assert p.credit_limit == Decimal("900")


class TestKycAndStatus:
    def test_workflow_with_history(self):
        p = PlayerFactory(date_of_birth=ADULT)
        with pytest.raises(ApplicationError):
            player_kyc_set(player=p, status=KycStatus.VERIFIED)  # must pass through pending
        player_kyc_set(player=p, status=KycStatus.PENDING, reason="documents received")
        with pytest.raises(ApplicationError):
            player_kyc_set(player=p, status=KycStatus.REJECTED)  # a rejection needs a reason
        player_kyc_set(player=p, status=KycStatus.VERIFIED)
        assert list(KycEvent.objects.filter(player=p).order_by("id").values_list("to_status", flat=True)) == [
            "pending", "verified"]
        assert kinds(p).count("players.kyc") == 2

    def test_underage_cannot_be_verified(self):
        p = PlayerFactory(date_of_birth=timezone.localdate() - timedelta(days=365 * 17))
        player_kyc_set(player=p, status=KycStatus.PENDING)
        with pytest.raises(ApplicationError) as exc:
            player_kyc_set(player=p, status=KycStatus.VERIFIED)
        assert exc.value.code == "underage"
        p.refresh_from_db()
        assert p.kyc_status == KycStatus.PENDING
        nodob = PlayerFactory()
        player_kyc_set(player=nodob, status=KycStatus.PENDING)
        with pytest.raises(ApplicationError):
            player_kyc_set(player=nodob, status=KycStatus.VERIFIED)

    def test_status_needs_reason_and_closed_is_final(self):
        p = PlayerFactory()
        with pytest.raises(ApplicationError):
            player_status_set(player=p, status=PlayerStatus.SUSPENDED, reason=" ")
        player_status_set(player=p, status=PlayerStatus.SUSPENDED, reason="chargeback")
        assert rg_check(player=Player.objects.get(pk=p.pk), action="deposit", amount=Decimal(1)).code == "blocked"
        player_status_set(player=p, status=PlayerStatus.CLOSED, reason="requested")
        with pytest.raises(ApplicationError):
            player_status_set(player=p, status=PlayerStatus.ACTIVE, reason="oops")

    def test_profile_edit_validates(self):
        PlayerFactory(email="taken@x.test")
        p = PlayerFactory()
        with pytest.raises(ApplicationError):
            player_update(player=p, email="TAKEN@x.test")
        player_update(player=p, vip_level=3, is_test=True)
        p.refresh_from_db()
        assert (p.vip_level, p.is_test) == (3, True)


class TestExclusions:
    @pytest.mark.parametrize("kind, duration", [
        (ExclusionKind.TIMEOUT, timedelta(hours=23)), (ExclusionKind.TIMEOUT, timedelta(weeks=7)),
        (ExclusionKind.TIMEOUT, None), (ExclusionKind.SELF_EXCLUSION, timedelta(days=100)),
        (ExclusionKind.SELF_EXCLUSION, timedelta(days=6 * 365)),
    ])
    def test_out_of_range_refused(self, kind, duration):
        p = PlayerFactory()
        with pytest.raises(ApplicationError):
            rg_exclusion_start(player=p, kind=kind, duration=duration)
        assert not RgExclusion.objects.filter(player=p).exists()

    def test_effects_and_expiry(self):
        p = PlayerFactory()
        t0 = timezone.now()
        rg_exclusion_start(player=p, kind=ExclusionKind.TIMEOUT, duration=timedelta(days=1), at=t0)
        assert rg_check(player=p, action="bet", amount=Decimal(1), at=t0).code == "timed_out"
        assert rg_check(player=p, action="deposit", amount=Decimal(1), at=t0 + timedelta(days=1, seconds=1)).allowed
        assert p not in players_marketable()
        assert kinds(p)[-1] == "players.timeout"

    def test_hooks_run_in_the_transaction(self):
        from players.hooks import exclusion_started

        calls = []
        record_hook.calls = calls
        p = PlayerFactory()
        with exclusion_started.registered(record_hook):
            rg_exclusion_start(player=p, kind=ExclusionKind.SELF_EXCLUSION, duration=None)
        assert calls == [p.pk]

    def test_reality_check_bounds(self):
        p = PlayerFactory()
        with pytest.raises(ApplicationError):
            rg_reality_check_set(player=p, minutes=5)
        rg_reality_check_set(player=p, minutes=30)
        p.refresh_from_db()
        assert p.reality_check_minutes == 30

    @pytest.mark.parametrize("amount", ["-1", "abc", "0.001"])
    def test_bad_limits(self, amount):
        p = PlayerFactory()
        with pytest.raises(ApplicationError):
            rg_limit_set(player=p, kind="deposit", period="day", amount=amount)


def record_hook(*, player, exclusion, actor):
    record_hook.calls.append(player.pk)


class TestMoves:
    def test_player_move_audited(self):
        top = AgentFactory(flags=["move_players"])
        a, b = AgentFactory(parent=top, login=False), AgentFactory(parent=top, login=False)
        outside = AgentFactory()
        p = PlayerFactory(agent=a, currency="USD")
        player_move(player=p, agent=b, actor=top.user, reason="desk change")
        assert Player.objects.get(pk=p.pk).agent == b
        assert AuditEvent.objects.filter(action="player.move", object_id=str(p.pk)).exists()
        with pytest.raises(ApplicationError):
            player_move(player=p, agent=outside, actor=top.user)
        assert "players.moved" in kinds(p)

    def test_agent_move_rewrites_subtree_paths(self):
        m1, m2 = AgentFactory(), AgentFactory()
        a = AgentFactory(parent=m1)
        s = AgentFactory(parent=a)
        agent_move(agent=a, parent=m2, reason="re-org")
        a.refresh_from_db()
        s.refresh_from_db()
        assert a.path == f"{m2.path}{a.pk}/" and s.path == f"{a.path}{s.pk}/" and s.level == 3
        assert AuditEvent.objects.filter(action="agent.move", object_id=str(a.pk)).exists()

    def test_an_agent_moves_nodes_only_with_the_move_players_flag(self):
        """A node moves with its players: "Add accounts" alone must not move them (issue: own flag per action)."""
        top = AgentFactory(flags=["add_accounts"])
        a, b = AgentFactory(parent=top, login=False), AgentFactory(parent=top, login=False)
        s = AgentFactory(parent=a, login=False)
        with pytest.raises(ApplicationError) as exc:
            agent_move(agent=s, parent=b, actor=top.user)
        assert exc.value.code == "flag"
        assert Agent.objects.get(pk=s.pk).parent_id == a.pk
        mover = AgentFactory(flags=["add_accounts", "move_players"])
        c, d = AgentFactory(parent=mover, login=False), AgentFactory(parent=mover, login=False)
        t = AgentFactory(parent=c, login=False)
        agent_move(agent=t, parent=d, actor=mover.user)
        assert Agent.objects.get(pk=t.pk).parent_id == d.pk

    def test_agent_move_under_own_descendant_refused(self):
        m1 = AgentFactory()
        a = AgentFactory(parent=m1)
        s = AgentFactory(parent=a)
        for target in (s, a):
            with pytest.raises(ApplicationError):
                agent_move(agent=a, parent=target)
        with pytest.raises(ApplicationError):  # too deep: a sub-tree of two levels under a level-2 node
            agent_move(agent=a, parent=AgentFactory(parent=AgentFactory()))
        assert Agent.objects.get(pk=s.pk).path == f"{m1.path}{a.pk}/{s.pk}/"

    def test_agent_limits_bounded(self):
        m = AgentFactory(credit_limit="1000", max_wager="100")
        a = AgentFactory(parent=m, credit_limit="500", max_wager="50")
        with pytest.raises(ApplicationError):
            agent_limits_set(agent=a, credit_limit="2000", max_wager="50")
        with pytest.raises(ApplicationError):
            agent_limits_set(agent=m, credit_limit="400", max_wager="100")
        agent_limits_set(agent=a, credit_limit="800", max_wager="100")


class TestNotesSegments:
    def test_note_and_follow_up(self):
        staff = OperatorFactory(role="Support")
        p = PlayerFactory()
        with pytest.raises(ApplicationError):
            note_create(player=p, text="  ")
        with pytest.raises(ApplicationError):
            note_create(player=p, text="x", follow_up_on=date.today() - timedelta(days=1))
        note = note_create(player=p, text="Called about bonus", channel="phone", actor=staff,
                           follow_up_on=date.today(), assignee=staff)
        note_follow_up_done(note=note, actor=staff)
        with pytest.raises(ApplicationError):
            note_follow_up_done(note=note, actor=staff)
        assert {"players.note", "players.follow_up_done"} <= set(kinds(p))

    def test_rule_segment_and_static_tags(self):
        rich = PlayerFactory(country="GB", vip_level=4)
        PlayerFactory(country="GB", vip_level=1)
        PlayerFactory(country="DE", vip_level=5)
        rg_usage_record(player_id=rich.pk, kind="deposit", amount=Decimal("600"))
        seg = Segment.objects.create(name="GB VIP", kind="rule", countries="GB", vip_min=3,
                                     lifetime_deposits_min=Decimal("500"), active_within_days=7)
        assert list(seg.players()) == [rich]
        tag = Segment.objects.create(name="Watch", kind="static")
        player_segments_set(player=rich, segments=[tag])
        assert list(tag.players()) == [rich]
        with pytest.raises(ApplicationError):
            player_segments_set(player=rich, segments=[seg])
        segment_counts_refresh()
        assert Segment.objects.get(pk=seg.pk).member_count == 1


def test_login_lockout_hook():
    p = PlayerFactory()
    for _ in range(5):
        p = player_login_failed(player_id=p.pk)
    assert not player_login_allowed(player=p)
    assert player_login_allowed(player=p, at=timezone.now() + timedelta(minutes=31))
