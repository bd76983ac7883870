"""Demo agents tree and players (deterministic; existing rows are left as they are)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from backoffice.demo import DEMO_PASSWORD
from players.choices import AgentFlag, KycStatus, PlayerStatus
from players.models import Agent, KycEvent, Player, Segment, TimelineEvent
from players.services import (
    agent_create,
    note_create,
    player_segments_set,
    rg_exclusion_start,
    rg_limit_set,
    segment_counts_refresh,
)
from players.visibility import STAFF_SUMMARY_KEY

COUNTRIES = [("GB", "GBP"), ("MT", "EUR"), ("DE", "EUR"), ("IE", "EUR"), ("SE", "SEK"), ("CA", "CAD"),
             ("FI", "EUR"), ("NZ", "NZD")]
FIRST = ["Oliver", "Amelia", "Liam", "Sofia", "Noah", "Emma", "Lucas", "Mia", "Leo", "Isla", "Hugo", "Freya",
         "Elias", "Nora", "Jack", "Ava", "Finn", "Ella", "Arthur", "Lily", "Matteo", "Chloe", "Oscar", "Maja"]
LAST = ["Smith", "Murphy", "Borg", "Müller", "Andersson", "Tremblay", "Virtanen", "Walsh", "Camilleri",
        "Schmidt", "Lindqvist", "Roy", "Korhonen", "Byrne", "Vella", "Fischer", "Berg", "Gagnon", "Wilson"]

# (code, name, parent code, login, flags, credit limit, max wager)
TREE = [
    ("MA-NORTH", "Northern Book", None, "master", list(AgentFlag.values), "250000", "5000"),
    ("AG-DUBLIN", "Dublin Desk", "MA-NORTH", "agent", ["add_accounts", "view_reports", "set_player_limits",
                                                   "change_status", "move_players"],
     "100000", "2500"),
    ("SA-DUB-1", "Dublin Sub 1", "AG-DUBLIN", "subagent", ["add_accounts"], "20000", "1000"),
    ("SA-DUB-2", "Dublin Sub 2", "AG-DUBLIN", None, [], "20000", "1000"),
    ("AG-LEEDS", "Leeds Desk", "MA-NORTH", None, [], "80000", "2000"),
    ("SA-LEEDS-1", "Leeds Sub 1", "AG-LEEDS", None, [], "15000", "500"),
    ("MA-SOUTH", "Southern Sports", None, "master2", ["add_accounts", "view_reports"], "150000", "3000"),
    ("AG-VALLETTA", "Valletta Desk", "MA-SOUTH", None, [], "60000", "1500"),
    ("SA-VLT-1", "Valletta Sub 1", "AG-VALLETTA", None, [], "10000", "500"),
]
CASINO_PLAYERS = 3000
PPH_PLAYERS_PER_NODE = 30


def seed(stdout) -> list[tuple[str, str]]:
    logins = []
    with transaction.atomic():
        for code, name, parent_code, login, flags, credit, max_wager in TREE:
            agent = Agent.objects.filter(code=code).first()
            if agent is None:
                parent = Agent.objects.get(code=parent_code) if parent_code else None
                agent, _ = agent_create(code=code, name=name, parent=parent, currency="USD", credit_limit=credit,
                                        max_wager=max_wager, flags=flags, username=login, password=DEMO_PASSWORD)
                stdout.write(f"  agent {code}")
            if login:
                logins.append((login, f"{agent.get_level_display()} {code}"))
    if not Player.objects.filter(username__startswith="demo_").exists():
        _seed_players(stdout)
    if not Segment.objects.exists():
        _seed_extras(stdout)
    return logins


def _seed_players(stdout) -> None:
    rng = random.Random(20261122)
    agents = list(Agent.objects.all())
    rows, n = [], 0
    today = date.today()

    def make(agent):
        nonlocal n
        n += 1
        country, currency = rng.choice(COUNTRIES)
        if agent is not None:
            country, currency = "US" if rng.random() < 0.7 else "CA", agent.currency
        first, last = rng.choice(FIRST), rng.choice(LAST)
        return Player(
            username=f"demo_{first.lower()}{n:04d}", email=f"{first.lower()}.{last.lower()}{n}@demo.example",
            first_name=first, last_name=last, country=country, currency=currency,
            date_of_birth=today - timedelta(days=rng.randint(18 * 366, 70 * 365)),
            status=rng.choices(list(PlayerStatus.values), weights=[92, 6, 2])[0],
            kyc_status=rng.choices(list(KycStatus.values), weights=[25, 10, 60, 5])[0],
            vip_level=rng.choices([0, 1, 2, 3, 4, 5], weights=[50, 20, 14, 9, 5, 2])[0],
            agent=agent, registration_source=rng.choice(["organic", "affiliate", "ppc", "agent"]),
            is_test=n % 97 == 0,
        )

    rows += [make(None) for _ in range(CASINO_PLAYERS)]
    for agent in agents:
        rows += [make(agent) for _ in range(PPH_PLAYERS_PER_NODE)]
    Player.objects.bulk_create(rows, batch_size=1000)
    # Spread registration dates over the past year so lists and reports have history.

    with connection.cursor() as cur:
        cur.execute("""UPDATE players_player SET created_at = now() - (random() * interval '365 days')
                       WHERE username LIKE 'demo\\_%%' """)
    stdout.write(f"  {len(rows)} players")


def _seed_extras(stdout) -> None:
    """Timeline history, KYC history, limits, exclusions, notes and segments on a sample of the players."""



    rng = random.Random(7)
    users = get_user_model().objects.filter(agent_node__isnull=True)
    staff = users.filter(username="risk").first() or users.order_by("pk").first()
    players = list(Player.objects.filter(username__startswith="demo_").order_by("pk"))
    events, kyc = [], []
    for p in players:
        events.append(TimelineEvent(player=p, occurred_at=p.created_at, module="players", kind="players.registered",
                                    summary="Account registered", data={"source": p.registration_source}))
        if p.kyc_status != KycStatus.UNVERIFIED:
            t = p.created_at + timedelta(days=rng.randint(0, 5))
            kyc.append(KycEvent(player=p, from_status="unverified", to_status="pending", reason="Documents uploaded"))
            # As player_kyc_set records it: the staff-typed reason only in the staff-only part (agents read the status).
            events.append(TimelineEvent(player=p, occurred_at=t, module="players", kind="players.kyc",
                                        summary="KYC unverified → pending",
                                        data={STAFF_SUMMARY_KEY: "KYC unverified → pending: Documents uploaded"}))
            if p.kyc_status in (KycStatus.VERIFIED, KycStatus.REJECTED):
                reason = "Passport and utility bill checked" if p.kyc_status == KycStatus.VERIFIED else "Blurry ID"
                kyc.append(KycEvent(player=p, from_status="pending", to_status=p.kyc_status, reason=reason))
                events.append(TimelineEvent(player=p, occurred_at=t + timedelta(hours=rng.randint(1, 48)),
                                            module="players", kind="players.kyc",
                                            summary=f"KYC pending → {p.kyc_status}",
                                            data={STAFF_SUMMARY_KEY: f"KYC pending → {p.kyc_status}: {reason}"}))
        for _ in range(rng.randint(0, 6)):  # logins, so the timeline has some texture before other modules add theirs
            t = p.created_at + timedelta(days=rng.randint(0, 300), minutes=rng.randint(0, 1440))
            if t < timezone.now():
                events.append(TimelineEvent(player=p, occurred_at=t, module="players", kind="players.login",
                                            summary="Logged in", integration="player-site"))
    TimelineEvent.objects.bulk_create(events, batch_size=5000)
    KycEvent.objects.bulk_create(kyc, batch_size=5000)
    stdout.write(f"  {len(events)} timeline events, {len(kyc)} KYC history rows")

    casino = [p for p in players if p.agent_id is None and p.status == "active"]
    past = timezone.now() - timedelta(days=3)
    for p in rng.sample(casino, 60):
        rg_limit_set(player=p, kind=rng.choice(["deposit", "deposit", "loss", "wager"]),
                     period=rng.choice(["day", "week", "month"]), amount=Decimal(rng.choice([50, 100, 250, 500, 1000])),
                     actor=staff, reason="Player request (demo)", at=past)
    for p in rng.sample(casino, 8):
        rg_limit_set(player=p, kind="deposit", period="month", amount=Decimal(2000), source="operator", actor=staff,
                     reason="Affordability check (demo)")
    for p in rng.sample(casino, 6):
        rg_exclusion_start(player=p, kind="timeout", duration=timedelta(weeks=rng.choice([1, 2, 6])), actor=staff,
                           reason="Player request (demo)")
    for p in rng.sample(casino, 4):
        rg_exclusion_start(player=p, kind="self_exclusion", duration=rng.choice([timedelta(days=182), None]),
                           actor=staff, reason="Player request (demo)")
    texts = ["Asked about withdrawal times", "Complained about a game freezing", "Requested bonus terms by email",
             "Called to update address", "Asked how to set a deposit limit", "VIP host intro call"]
    today = timezone.localdate()
    for i, p in enumerate(rng.sample(players, 120)):
        follow = today + timedelta(days=rng.randint(0, 10)) if i % 4 == 0 else None
        note_create(player=p, text=rng.choice(texts), channel=rng.choice(["phone", "email", "chat", "note"]),
                    actor=staff, follow_up_on=follow, assignee=staff if follow else None)
    Segment.objects.create(name="High rollers", kind="rule", vip_min=4, description="VIP level 4 and above")
    Segment.objects.create(name="UK & Ireland", kind="rule", countries="GB,IE")
    Segment.objects.create(name="New this month", kind="rule",
                           registered_from=today - timedelta(days=30), description="Registered in the last 30 days")
    Segment.objects.create(name="Dormant 60 days", kind="rule", inactive_for_days=60)
    watch = Segment.objects.create(name="Watch list", kind="static", description="Risk team's manual tag")
    for p in rng.sample(players, 15):
        player_segments_set(player=p, segments=[watch], actor=staff)
    segment_counts_refresh()
    stdout.write("  limits, exclusions, notes and segments")

