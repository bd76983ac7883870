"""Games: providers, the catalogue, jurisdictions, the lobby, game sessions and rounds.

Design overview
---------------
* ``Provider``: a studio or aggregator calling our seamless-wallet API (docs/wallet-api.md). Its HMAC
  signing secret must be usable to verify signatures, so it cannot be stored as a one-way hash: it is
  kept in ``secret`` (never rendered by any page, table, export or audit snapshot, see ``AUDIT_EXCLUDE``)
  and shown once, when created or rotated. Rotation keeps the previous secret valid until
  ``previous_secret_valid_until`` so a provider can switch without downtime.
* ``Game``: one provider game. ``version`` increases whenever the theoretical RTP (or certificate)
  changes, and each version is kept in ``GameVersion`` (GLI-19 A.6.1); every round records the version
  it was played on.
* ``Jurisdiction``: a licence territory (a set of player countries). A game is playable by a player only
  when approved in the player's jurisdiction. The default jurisdiction applies to countries not listed.
* ``LobbyCategory`` / ``LobbyPlacement``: ordered sections of the player-facing lobby and the games placed
  in them; ``featured`` placements form the featured strip.
* ``GameSession``: the token a provider's game client receives; it expires after an idle period.
* ``Round`` and ``WalletTransaction``: every bet, win and rollback received through the wallet API, with
  the balances before and after and the cash/bonus split (GLI-19 2.8.2). Each money operation is one
  cashier ledger transaction (``ledger_transaction_id``), posted in the same database transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse

from backoffice.money import CurrencyField, MoneyField
from backoffice.querysets import ScopedManager
from games.choices import GameType, ProviderKind, RoundStatus, Volatility, WalletTxKind, WalletTxStatus
from games.querysets import (
    BonusWageringQuerySet,
    GameQuerySet,
    GameSessionQuerySet,
    JurisdictionQuerySet,
    LobbyQuerySet,
    ProviderQuerySet,
    RoundQuerySet,
    WalletTransactionQuerySet,
)

EXTERNAL_ID_MAX = 128  # provider ids (transaction, round, game): longer ones are refused as WRONG_SYNTAX


class Provider(models.Model):
    """A game studio or aggregator with its wallet API credentials."""

    AUDIT_EXCLUDE = ("secret", "previous_secret")

    code = models.SlugField(max_length=32, unique=True, help_text="Used in the wallet API URL.")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=ProviderKind.choices, default=ProviderKind.STUDIO)
    secret = models.CharField(max_length=128, editable=False)
    previous_secret = models.CharField(max_length=128, blank=True, editable=False)
    previous_secret_valid_until = models.DateTimeField(null=True, blank=True, editable=False)
    secret_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager.from_queryset(ProviderQuerySet)()

    class Meta:
        ordering = ["code"]
        permissions = [("rotate_provider", "Rotate a provider's signing secret")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("games:provider", args=[self.pk])


class Jurisdiction(models.Model):
    """A licence territory: the player countries it covers. One jurisdiction is the default."""

    code = models.SlugField(max_length=16, unique=True, help_text="e.g. mga, ukgc, default")
    name = models.CharField(max_length=120)
    countries = ArrayField(models.CharField(max_length=2), default=list, blank=True,
                           help_text="ISO-3166 alpha-2 codes, comma separated.")
    is_default = models.BooleanField(default=False, help_text="Applies to countries no jurisdiction lists.")

    objects = ScopedManager.from_queryset(JurisdictionQuerySet)()

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                               name="jurisdiction_one_default")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("games:jurisdiction", args=[self.pk])


class LobbyCategory(models.Model):
    """A section of the lobby (and a game's primary category)."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    objects = ScopedManager.from_queryset(LobbyQuerySet)()

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "lobby categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("games:lobbycategory", args=[self.pk])


class Game(models.Model):
    """A provider's game in our catalogue."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="games")
    external_id = models.CharField(max_length=EXTERNAL_ID_MAX, help_text="The provider's game id.")
    title = models.CharField(max_length=200)
    game_type = models.CharField(max_length=16, choices=GameType.choices, default=GameType.SLOT)
    category = models.ForeignKey(LobbyCategory, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="games")
    rtp = models.DecimalField(max_digits=5, decimal_places=2, verbose_name="theoretical RTP %",
                              help_text="Theoretical return to player, percent.")
    volatility = models.CharField(max_length=16, choices=Volatility.choices, default=Volatility.MEDIUM)
    certificate_ref = models.CharField(max_length=120, blank=True, verbose_name="certificate reference")
    jurisdictions = models.ManyToManyField(Jurisdiction, blank=True, related_name="games", through="GameJurisdiction")
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=255, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager.from_queryset(GameQuerySet)()

    class Meta:
        ordering = ["title"]
        permissions = [("toggle_game", "Activate or deactivate games"), ("import_game", "Import game catalogues")]
        constraints = [
            models.UniqueConstraint(fields=["provider", "external_id"], name="game_provider_external_unique"),
            models.CheckConstraint(condition=models.Q(rtp__gte=0, rtp__lte=100), name="game_rtp_0_100"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("games:game", args=[self.pk])


class GameVersion(models.Model):
    """One version of a game's mathematics (GLI-19 A.6.1): a new row whenever the RTP changes."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    rtp = models.DecimalField(max_digits=5, decimal_places=2, verbose_name="theoretical RTP %")
    certificate_ref = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = ScopedManager.from_queryset(GameQuerySet)()

    class Meta:
        ordering = ["game", "-version"]
        constraints = [models.UniqueConstraint(fields=["game", "version"], name="gameversion_unique")]

    def __str__(self) -> str:
        return f"{self.game} v{self.version}"


class LobbyPlacement(models.Model):
    """A game placed in a lobby category at a position; featured placements form the featured strip."""

    category = models.ForeignKey(LobbyCategory, on_delete=models.CASCADE, related_name="placements")
    game = models.ForeignKey(Game, on_delete=models.CASCADE, related_name="placements")
    position = models.PositiveIntegerField(default=0)
    featured = models.BooleanField(default=False)

    objects = ScopedManager.from_queryset(LobbyQuerySet)()

    class Meta:
        ordering = ["category__position", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "game"], name="placement_unique")]

    def __str__(self) -> str:
        return f"{self.category} #{self.position}: {self.game}"

    def get_absolute_url(self) -> str:
        return reverse("games:lobbycategory", args=[self.category_id])


class GameSession(models.Model):
    """A game-session token handed to a provider's game client; expires after an idle period."""

    token = models.CharField(max_length=64, unique=True)
    player = models.ForeignKey("players.Player", on_delete=models.PROTECT, related_name="game_sessions")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="sessions")
    game = models.ForeignKey(Game, on_delete=models.PROTECT, related_name="sessions")
    currency = CurrencyField()
    jurisdiction = models.ForeignKey(Jurisdiction, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager.from_queryset(GameSessionQuerySet)()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"session {self.pk} of {self.player_id}"


class Round(models.Model):
    """A game round (GLI-19 2.8.2): its bets, wins and rollbacks are its ``transactions``."""

    # No single-column indexes where a composite one leads with the column (the unique (provider, round_ref),
    # round_player_idx, round_game_idx): every round is an insert on the wallet's hot path.
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="rounds", db_index=False)
    round_ref = models.CharField(max_length=EXTERNAL_ID_MAX, verbose_name="round id")
    player = models.ForeignKey("players.Player", on_delete=models.PROTECT, related_name="rounds", db_index=False)
    game = models.ForeignKey(Game, on_delete=models.PROTECT, related_name="rounds", db_index=False)
    game_version = models.PositiveIntegerField()
    session = models.ForeignKey(GameSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    currency = CurrencyField()
    status = models.CharField(max_length=16, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    bet_total = MoneyField(default=0)
    bet_cash = MoneyField(default=0)
    bet_bonus = MoneyField(default=0)
    win_total = MoneyField(default=0)
    win_cash = MoneyField(default=0)
    win_bonus = MoneyField(default=0)
    rolled_back = MoneyField(default=0)
    opened_at = models.DateTimeField(auto_now_add=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager.from_queryset(RoundQuerySet)()

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["provider", "round_ref"], name="round_provider_ref_unique")]
        indexes = [models.Index(fields=["player", "-id"], name="round_player_idx"),
                   models.Index(fields=["game", "-id"], name="round_game_idx")]

    def __str__(self) -> str:
        return f"Round {self.round_ref}"

    def get_absolute_url(self) -> str:
        return reverse("games:round", args=[self.pk])


class WalletTransaction(models.Model):
    """One wallet API money call (bet, win, rollback), unique per provider transaction id, for ever.

    ``request_hash`` fingerprints the payload (type, player, round, game, amount, currency, reference), so
    a repeat with the same id is a replay when it matches and DUPLICATE_TRANSACTION when it does not.
    A rollback of an unknown bet is stored too (``status=noop``): a late bet with that id is then refused.
    """

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+",
                                 db_index=False)  # the unique (provider, tx_ref) leads with it
    tx_ref = models.CharField(max_length=EXTERNAL_ID_MAX, verbose_name="provider transaction id")
    kind = models.CharField(max_length=16, choices=WalletTxKind.choices)
    status = models.CharField(max_length=16, choices=WalletTxStatus.choices, default=WalletTxStatus.OK)
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions")
    player = models.ForeignKey("players.Player", on_delete=models.PROTECT, related_name="+")
    ref_tx = models.CharField(max_length=EXTERNAL_ID_MAX, blank=True,
                              verbose_name="referenced transaction id")
    currency = CurrencyField()
    amount = MoneyField(default=0)
    cash_amount = MoneyField(default=0)
    bonus_amount = MoneyField(default=0)
    balance_before = MoneyField(null=True)
    balance_after = MoneyField(null=True)
    cash_after = MoneyField(null=True)
    bonus_after = MoneyField(null=True)
    request_hash = models.CharField(max_length=64)
    ledger_transaction_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager.from_queryset(WalletTransactionQuerySet)()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["provider", "tx_ref"], name="wallettx_provider_ref_unique")]
        indexes = [models.Index(fields=["provider", "ref_tx"], name="wallettx_ref_idx",
                                condition=~models.Q(ref_tx=""))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.tx_ref}"


class BonusWagering(models.Model):
    """A player whose bets an active bonus's wagering rules govern (the wallet's bonus decision).

    The row's presence is the whole flag: the wallet then sends the player's bets through the general path and
    the ``games.bet_rules`` hook (max bet while wagering) before any lock, and the fast path's first query sees
    it (``games_wallet_bet``: rule ``bonus.rules``). Players without a row keep the one-call fast path. Written
    only by ``games.services.bonus_wagering_set``, which the bonuses app calls when a wagering bonus becomes
    active and when it ends (docs/architecture.md, "Contract for the bonuses app").
    """

    player = models.OneToOneField("players.Player", on_delete=models.CASCADE, primary_key=True, related_name="+")
    since = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager.from_queryset(BonusWageringQuerySet)()

    class Meta:
        verbose_name = "player under bonus wagering rules"
        verbose_name_plural = "players under bonus wagering rules"

    def __str__(self) -> str:
        return f"Bonus wagering rules for player {self.player_id}"


class GameJurisdiction(models.Model):
    """A game's approval in a jurisdiction (the through table of ``Game.jurisdictions``)."""

    game = models.ForeignKey(Game, on_delete=models.CASCADE)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE)

    objects = ScopedManager.from_queryset(JurisdictionQuerySet)()

    class Meta:
        db_table = "games_game_jurisdictions"  # the table Django created for the implicit through model
        unique_together = [("game", "jurisdiction")]

    def __str__(self) -> str:
        return f"{self.game_id} in {self.jurisdiction_id}"
