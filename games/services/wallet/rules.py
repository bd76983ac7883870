"""The rules the wallet's fast path (games/sql/games_wallet_*.sql) repeats from Python, each named once.

The SQL cannot call Python, so the fast path restates, or defers on, some rules of the general path. Each such
rule has a name here; the Python that implements it and the SQL that repeats it carry a ``rule: <name>``
comment, and tests/games/test_wallet_rule_pairs.py runs the same cases through both paths for each rule (a
change of the Python rule that the SQL does not follow makes the two answers differ). A test holds this list,
the comments and the pairs to each other.

A rule the SQL only *defers on* (it answers ``fallback``, the general path decides) is still named: the SQL's
condition must cover every case in which Python could refuse.
"""

WALLET_SQL_RULES: dict[str, str] = {
    "replay": "A known transaction id with the same payload and player is answered from the original "
              "transaction; any other payload under that id is DUPLICATE_TRANSACTION (general path).",
    "session.live": "Bets (and authenticate, balance) need a session neither closed nor expired; wins and "
                    "rollbacks are accepted after it ended.",
    "session.touch": "A bet slides the session's expiry to now + GAME_SESSION_IDLE_SECONDS, written only when "
                     "it moves by more than 30 seconds (games.services.sessions.game_session_touch).",
    "session.currency": "A bet or win in another currency than the session's is WRONG_CURRENCY.",
    "game.playable": "A bet needs the game to exist for the provider, be active, and be approved in the "
                     "session's jurisdiction; else INVALID_GAME.",
    "rg.player_active": "Only an active player may bet (players.services.rg.rg_check: PlayerStatus.ACTIVE).",
    "rg.exclusion_active": "An exclusion is in force from starts_at until ends_at, or for ever when ends_at is "
                           "empty (players.services.rg.active_exclusions).",
    "rg.bet_limit_kinds": "A bet is checked against the limits of players.services.rg.BET_LIMIT_KINDS (wager, "
                          "loss); the fast path leaves every player with such a limit to the general path.",
    "bonus.rules": "A player under bonus wagering rules (games.BonusWagering) bets through the games.bet_rules "
                   "hook on the general path; the fast path sees the flag before any lock.",
    "stake.split": "A stake is taken from cash first (a negative cash balance counts as none), the rest from "
                   "bonus; more than cash + bonus is INSUFFICIENT_FUNDS.",
    "round.open": "A bet joins the open round of the same player and game, or opens the round; a closed round "
                  "or another player's or game's is WRONG_SYNTAX.",
    "win.split": "A win is paid into cash and bonus in the proportion the round's live bets were funded; the "
                 "fast path pays rounds without bonus stake only.",
}
