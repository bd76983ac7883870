"""Providers, games (versions, disable, bulk, CSV import), jurisdictions, lobby, sessions, commands."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from backoffice.exceptions import ApplicationError
from backoffice.models import AuditEvent
from games import services
from games.models import Game, GameSession, LobbyCategory, LobbyPlacement, Provider
from tests.games import factories as gf


@pytest.fixture
def cat(db):
    return LobbyCategory.objects.create(slug="slots", name="Slots", position=1)


def test_provider_secret_never_in_audit_or_pages(admin_user, login, db):
    prov, secret = services.provider_create(code="studio", name="Studio", actor=admin_user)
    assert len(secret) == 64 and prov.secret == secret
    events = AuditEvent.objects.filter(object_type="games.provider")
    assert events.exists() and all(secret not in str(e.after) for e in events)
    client = login(admin_user)
    for url in (prov.get_absolute_url(), "/games/providers/", "/games/providers/?export=csv",
                f"/games/providers/{prov.pk}/edit/"):
        r = client.get(url)
        body = b"".join(r.streaming_content) if r.streaming else r.content
        assert r.status_code == 200 and secret.encode() not in body


def test_provider_add_page_shows_secret_once(admin_user, login, db):
    client = login(admin_user)
    r = client.post("/games/providers/add/", {"code": "newco", "name": "New Co", "kind": "studio"}, follow=True)
    secret = Provider.objects.get(code="newco").secret
    assert secret in r.content.decode()
    assert secret not in client.get(Provider.objects.get(code="newco").get_absolute_url()).content.decode()


def test_rotation_and_audit(db):
    prov = gf.provider("rot")
    _, new = services.provider_secret_rotate(provider_id=prov.pk, grace_hours=2, reason="yearly")
    prov.refresh_from_db()
    assert services.provider_secrets(prov) == [new, gf.SECRET]
    assert AuditEvent.objects.filter(action="provider.rotate_secret").exists()
    with pytest.raises(ApplicationError):
        services.provider_secret_rotate(provider_id=prov.pk, secret="short")


def test_rtp_change_makes_a_new_version(db, cat):
    gf.jurisdiction()
    g = gf.game(gf.provider(), "v", category=cat, certificate_ref="GLI-1")
    services.game_update(game_id=g.pk, title="Renamed")
    g.refresh_from_db()
    assert g.version == 1
    services.game_update(game_id=g.pk, rtp="94.50")
    g.refresh_from_db()
    assert g.version == 2
    assert list(g.versions.values_list("version", "rtp")) == [(2, Decimal("94.5")), (1, Decimal("96"))]


def test_disable_needs_reason_and_is_audited_bulk(db):
    gf.jurisdiction()
    prov = gf.provider()
    a, b = gf.game(prov, "a"), gf.game(prov, "b")
    with pytest.raises(ApplicationError):
        services.game_set_active(game_ids=[a.pk], active=False, reason=" ")
    assert services.game_set_active(game_ids=[a.pk, b.pk], active=False, reason="certificate expired") == 2
    assert AuditEvent.objects.filter(action="game.deactivate", reason="certificate expired").count() == 2
    assert services.game_set_active(game_ids=[a.pk, b.pk], active=True) == 2


def test_bulk_page(admin_user, login, db):
    gf.jurisdiction()
    prov = gf.provider()
    a = gf.game(prov, "a")
    client = login(admin_user)
    assert client.get(f"/games/games/bulk/?game={a.pk}").status_code == 200
    r = client.post("/games/games/bulk/", {"games": [a.pk], "activate": "0", "reason": ""})
    assert r.status_code == 200 and "Say why" in r.content.decode()
    r = client.post("/games/games/bulk/", {"games": [a.pk], "activate": "0", "reason": "pulled"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert not a.is_active and a.disabled_reason == "pulled"


CSV = """game_id,title,type,category,rtp,volatility,certificate,jurisdictions,active
a,Alpha,slot,slots,96.10,high,GLI-1,mga,yes
b,Beta,table,,97.00,low,,,yes
"""


def test_csv_import_dry_run_then_apply(db, cat, admin_user):
    gf.jurisdiction("mga")
    gf.jurisdiction("ukgc", ("GB",))
    prov = gf.provider()
    report = services.catalogue_import(provider=prov, data=CSV.encode(), dry_run=True)
    assert [r.action for r in report.rows] == ["create", "create"] and not Game.objects.exists()
    report = services.catalogue_import(provider=prov, data=CSV.encode(), dry_run=False, actor=admin_user)
    assert report.applied and Game.objects.count() == 2
    assert list(Game.objects.get(external_id="a").jurisdictions.values_list("code", flat=True)) == ["mga"]
    assert Game.objects.get(external_id="b").jurisdictions.count() == 2
    changed = CSV.replace("96.10", "95.00")
    report = services.catalogue_import(provider=prov, data=changed.encode(), dry_run=False, actor=admin_user)
    assert [r.action for r in report.rows] == ["update", "unchanged"]
    assert Game.objects.get(external_id="a").version == 2


@pytest.mark.parametrize("bad", [
    "game_id,title,rtp\na,Alpha,101\n", "game_id,title,rtp\na,Alpha,abc\n", "game_id,title,rtp\n,Alpha,96\n",
    "game_id,title,rtp,jurisdictions\na,Alpha,96,nowhere\n", "game_id,title,rtp\na,A,96\na,A,96\n",
    "game_id,title,rtp,type\na,A,96,lottery\n",
])
def test_csv_import_errors_refuse_the_file(db, bad):
    prov = gf.provider()
    report = services.catalogue_import(provider=prov, data=bad.encode(), dry_run=False)
    assert report.errors and not report.applied and not Game.objects.exists()


def test_csv_import_bad_files(db):
    prov = gf.provider()
    with pytest.raises(ApplicationError):
        services.catalogue_import(provider=prov, data=b"\xff\xfe\x00", dry_run=True)
    with pytest.raises(ApplicationError):
        services.catalogue_import(provider=prov, data=b"foo,bar\n1,2\n", dry_run=True)


def test_csv_import_page(admin_user, login, db, cat):
    from django.core.files.uploadedfile import SimpleUploadedFile

    gf.jurisdiction("mga")
    prov = gf.provider()
    client = login(admin_user)
    r = client.post("/games/games/import/", {"provider": prov.pk, "file": SimpleUploadedFile("c.csv", CSV.encode())})
    assert r.status_code == 200 and "Alpha" in r.content.decode() and not Game.objects.exists()
    r = client.post("/games/games/import/", {"provider": prov.pk, "apply": "on",
                                             "file": SimpleUploadedFile("c.csv", CSV.encode())})
    assert r.status_code == 302 and Game.objects.count() == 2


def test_lobby_per_jurisdiction_cached_and_invalidated(client, db, cat, django_capture_on_commit_callbacks,
                                                       django_assert_num_queries):
    mga = gf.jurisdiction("mga")
    ukgc = gf.jurisdiction("ukgc", ("GB",))
    prov = gf.provider()
    a = gf.game(prov, "a")
    b = gf.game(prov, "b", jurisdictions=[ukgc])
    services.lobby_place(category_id=cat.pk, game=a, featured=True)
    services.lobby_place(category_id=cat.pk, game=b, position=1)
    body = client.get("/api/lobby/v1/mga").json()
    assert [g["id"] for g in body["categories"][0]["games"]] == ["a"] and body["featured"][0]["id"] == "a"
    assert [g["id"] for g in client.get("/api/lobby/v1/ukgc").json()["categories"][0]["games"]] == ["b", "a"]
    with django_assert_num_queries(0):  # served from Redis
        client.get("/api/lobby/v1/mga")
    with django_capture_on_commit_callbacks(execute=True):  # invalidates the cache on commit
        services.game_set_active(game_ids=[a.pk], active=False, reason="x")
    assert client.get("/api/lobby/v1/mga").json()["categories"] == []
    assert client.get("/api/lobby/v1/nowhere").status_code == 404
    assert client.get("/api/lobby/v1/" + "x" * 40).status_code == 404
    assert mga


def test_lobby_arrange(db, cat, admin_user, login):
    gf.jurisdiction()
    prov = gf.provider()
    games = [gf.game(prov, f"g{i}") for i in range(3)]
    for g in games:
        services.lobby_place(category_id=cat.pk, game=g)
    client = login(admin_user)
    data = {f"pos_{games[0].pk}": 3, f"pos_{games[1].pk}": 1, f"pos_{games[2].pk}": 2, f"feat_{games[2].pk}": "on",
            f"remove_{games[1].pk}": ""}
    r = client.post(f"/games/lobby/{cat.pk}/order/", data)
    assert r.status_code == 302
    order = list(LobbyPlacement.objects.filter(category=cat).order_by("position").values_list("game_id", "featured"))
    assert order == [(games[1].pk, False), (games[2].pk, True), (games[0].pk, False)]
    with pytest.raises(ApplicationError):
        services.lobby_arrange(category_id=cat.pk, order=[games[0].pk])


def test_session_open_checks(db, player_factory):
    gf.jurisdiction("mga", ("MT",))
    ukgc = gf.jurisdiction("ukgc", ("GB",))
    prov = gf.provider("p")
    g = gf.game(prov, "g", jurisdictions=[ukgc])
    player = player_factory(country="MT", currency="EUR")
    with pytest.raises(ApplicationError):
        services.game_session_open(player=player, provider_code="p", game_external_id="g")
    with pytest.raises(ApplicationError):
        services.game_session_open(player=player, provider_code="p", game_external_id="missing")
    assert g


def test_commands(db, player_factory):
    gf.jurisdiction("mga", ("MT",))
    gf.jurisdiction("ukgc", ("GB",))
    out = StringIO()
    call_command("create_provider", "cmdco", "Cmd Co", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    assert Provider.objects.get(code="cmdco").secret == secret
    call_command("create_provider", "given", "Given", "--secret", "integrator-secret-12345", stdout=StringIO())
    assert Provider.objects.get(code="given").secret == "integrator-secret-12345"
    with pytest.raises(CommandError):
        call_command("create_provider", "cmdco", "Again", stdout=StringIO())
    call_command("create_game", "cmdco", "g1", "Game One", stdout=StringIO())
    assert Game.objects.get(external_id="g1").jurisdictions.count() == 2
    call_command("create_game", "cmdco", "g2", "Game Two", "--jurisdictions", "ukgc", stdout=StringIO())
    assert list(Game.objects.get(external_id="g2").jurisdictions.values_list("code", flat=True)) == ["ukgc"]
    with pytest.raises(CommandError):
        call_command("create_game", "cmdco", "g3", "X", "--jurisdictions", "nowhere", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("create_game", "nope", "g3", "X", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("create_game", "cmdco", "g4", "X", "--rtp", "abc", stdout=StringIO())
    player = player_factory(username="pat", country="MT", currency="EUR")
    out = StringIO()
    call_command("open_game_session", "pat", "cmdco", "g1", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    assert GameSession.objects.get(token=token).player == player
    with pytest.raises(CommandError):
        call_command("open_game_session", "pat", "cmdco", "g2", stdout=StringIO())  # not approved in MT
    with pytest.raises(CommandError):
        call_command("open_game_session", "nobody", "cmdco", "g1", stdout=StringIO())


def test_pages_render(admin_user, login, world_games, wallet):
    s = world_games["session"]
    wallet.call("bet", token=s.token, transaction_id="b1", round_id="r1", game_id="slot-1", amount="10.00",
                currency="EUR")
    wallet.call("win", token=s.token, transaction_id="w1", round_id="r1", game_id="slot-1", amount="9.00",
                currency="EUR")
    from games.models import Round

    client = login(admin_user)
    r = client.get(world_games["game"].get_absolute_url())
    assert r.status_code == 200 and "90.00 %" in r.content.decode()  # actual RTP 9/10
    rnd = Round.objects.get()
    r = client.get(rnd.get_absolute_url())
    assert r.status_code == 200 and "b1" in r.content.decode()
    for url in ("/games/rounds/?status=open", "/games/rounds/?with_bonus=true", "/games/games/?jurisdiction=1",
                "/games/lobby/", world_games["mga"].get_absolute_url(), "/games/rounds/?export=csv"):
        assert client.get(url).status_code == 200, url
