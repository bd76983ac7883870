import pytest

from tests.games import factories as gf


@pytest.fixture
def world_games(db):
    mga = gf.jurisdiction("mga", ("MT", "DE", "IE"))
    ukgc = gf.jurisdiction("ukgc", ("GB",))
    prov = gf.provider("acme")
    slot = gf.game(prov, "slot-1")
    uk_only = gf.game(prov, "uk-only", jurisdictions=[ukgc])
    sess = gf.funded_session(slot, cash="100.00")
    return {"mga": mga, "ukgc": ukgc, "provider": prov, "game": slot, "uk_only": uk_only, "player": sess.player,
            "session": sess}


@pytest.fixture(params=["lane", "django"])
def wallet(request, client, world_games):
    """Every contract test runs on both ways into the wallet view: the production entry point's plain lane
    (``backoffice.handlers.PlainLane``) and Django's request handling (the test client's)."""
    from tests.wsgi import WsgiClient

    transport = WsgiClient(expect_lane=True) if request.param == "lane" else client
    return gf.WalletClient(transport, world_games["provider"].code)


@pytest.fixture(autouse=True)
def _no_provider_cache():
    from games import api

    api._PROVIDERS.clear()
    yield
    api._PROVIDERS.clear()
