"""Demo agents tree and players (deterministic; existing rows are left as they are)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from backoffice.demo import DEMO_PASSWORD
from players.choices import AgentFlag, KycStatus, PlayerStatus
from players.models import Agent, Player
from players.services import agent_create

COUNTRIES = [("GB", "GBP"), ("MT", "EUR"), ("DE", "EUR"), ("IE", "EUR"), ("SE", "SEK"), ("CA", "CAD"),
             ("FI", "EUR"), ("NZ", "NZD")]
FIRST = ["Oliver", "Amelia", "Liam", "Sofia", "Noah", "Emma", "Lucas", "Mia", "Leo", "Isla", "Hugo", "Freya",
         "Elias", "Nora", "Jack", "Ava", "Finn", "Ella", "Arthur", "Lily", "Matteo", "Chloe", "Oscar", "Maja"]
LAST = ["Smith", "Murphy", "Borg", "Müller", "Andersson", "Tremblay", "Virtanen", "Walsh", "Camilleri",
        "Schmidt", "Lindqvist", "Roy", "Korhonen", "Byrne", "Vella", "Fischer", "Berg", "Gagnon", "Wilson"]

# (code, name, parent code, login, flags, credit limit, max wager)
TREE = [
    ("MA-NORTH", "Northern Book", None, "master", list(AgentFlag.values), "250000", "5000"),
    ("AG-DUBLIN", "Dublin Desk", "MA-NORTH", "agent", ["add_accounts", "view_reports", "set_player_limits"],
     "100000", "2500"),
    ("SA-DUB-1", "Dublin Sub 1", "AG-DUBLIN", "subagent", ["add_accounts"], "20000", "1000"),
    ("SA-DUB-2", "Dublin Sub 2", "AG-DUBLIN", None, [], "20000", "1000"),
    ("AG-LEEDS", "Leeds Desk", "MA-NORTH", None, [], "80000", "2000"),
    ("SA-LEEDS-1", "Leeds Sub 1", "AG-LEEDS", None, [], "15000", "500"),
    ("MA-SOUTH", "Southern Sports", None, "master2", ["add_accounts", "view_reports"], "150000", "3000"),
    ("AG-VALLETTA", "Valletta Desk", "MA-SOUTH", None, [], "60000", "1500"),
    ("SA-VLT-1", "Valletta Sub 1", "AG-VALLETTA", None, [], "10000", "500"),
]
CASINO_PLAYERS = 400
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
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("""UPDATE players_player SET created_at = now() - (random() * interval '365 days')
                       WHERE username LIKE 'demo\\_%%' """)
    stdout.write(f"  {len(rows)} players")
