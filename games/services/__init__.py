"""Games services. Import from here: ``from games.services import game_create``."""

from games.services.catalogue import (  # noqa: F401
    CSV_COLUMNS,
    catalogue_import,
    game_create,
    game_set_active,
    game_update,
    jurisdiction_for_country,
    provider_create,
    provider_secret_rotate,
    provider_secrets,
)
from games.services.lobby import (  # noqa: F401
    lobby_arrange,
    lobby_build,
    lobby_cache_invalidate,
    lobby_get,
    lobby_place,
)
from games.services.sessions import game_session_open  # noqa: F401
from games.services.wallet import (  # noqa: F401
    WalletError,
    bonus_wagering_set,
    rounds_interrupt_stale,
    wallet_authenticate,
    wallet_balance,
    wallet_bet,
    wallet_end_round,
    wallet_rollback,
    wallet_win,
)
