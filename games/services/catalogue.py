"""Providers and their secrets, jurisdictions, the game catalogue and its CSV import."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from backoffice.exceptions import ApplicationError
from backoffice.money import to_decimal
from backoffice.services import audit_record, snapshot
from games.choices import GameType, Volatility
from games.models import (
    EXTERNAL_ID_MAX,
    Game,
    GameVersion,
    Jurisdiction,
    LobbyCategory,
    Provider,
)

SECRET_BYTES = 32


# --- Providers ----------------------------------------------------------------------------------

def _new_secret() -> str:
    return secrets.token_hex(SECRET_BYTES)


def _check_secret(secret: str) -> None:
    if len(secret) < 16 or len(secret) > 128 or not secret.isprintable() or not secret.isascii():
        raise ApplicationError("A signing secret is 16 to 128 printable ASCII characters.", code="secret")


@transaction.atomic
def provider_create(*, code: str, name: str, kind: str = "studio", secret: str | None = None,
                    actor=None, actor_label: str = "") -> tuple[Provider, str]:
    """Create a provider. Returns (provider, secret): the secret is shown to the operator once, here."""
    if Provider.objects.filter(code__iexact=code).exists():
        raise ApplicationError(f"A provider with code {code!r} already exists.", code="duplicate")
    secret = secret or _new_secret()
    _check_secret(secret)
    provider = Provider(code=code, name=name, kind=kind, secret=secret)
    try:
        provider.full_clean()
    except ValidationError as exc:
        raise ApplicationError("; ".join(exc.messages), code="invalid") from exc
    provider.save()
    audit_record(actor=actor, actor_label=actor_label, action="provider.create", target=provider,
                 after=snapshot(provider))
    return provider, secret


@transaction.atomic
def provider_secret_rotate(*, provider_id: int, grace_hours: int = 24, secret: str | None = None,
                           actor=None, reason: str = "", actor_label: str = "") -> tuple[Provider, str]:
    """Issue a new signing secret; the previous one stays valid for ``grace_hours``. Returns the new secret."""
    if grace_hours < 0 or grace_hours > 24 * 30:
        raise ApplicationError("The grace period is 0 to 720 hours.", code="grace")
    provider = Provider.objects.select_for_update(no_key=True).get(pk=provider_id)
    secret = secret or _new_secret()
    _check_secret(secret)
    now = timezone.now()
    provider.previous_secret = provider.secret if grace_hours else ""
    provider.previous_secret_valid_until = now + timedelta(hours=grace_hours) if grace_hours else None
    provider.secret, provider.secret_rotated_at = secret, now
    provider.save(update_fields=["secret", "previous_secret", "previous_secret_valid_until", "secret_rotated_at"])
    audit_record(actor=actor, actor_label=actor_label, action="provider.rotate_secret", target=provider,
                 after={"previous_valid_until": provider.previous_secret_valid_until}, reason=reason)
    return provider, secret


def provider_secrets(provider: Provider, *, at=None) -> list[str]:
    """The secrets a signature may be made with now: the current one, and the previous during its grace."""
    at = at or timezone.now()
    found = [provider.secret]
    if provider.previous_secret and provider.previous_secret_valid_until and at < provider.previous_secret_valid_until:
        found.append(provider.previous_secret)
    return found


# --- Jurisdictions ------------------------------------------------------------------------------

def jurisdiction_for_country(country: str) -> Jurisdiction | None:
    """The jurisdiction covering ``country``, else the default one (None if there is none)."""
    found = Jurisdiction.objects.filter(countries__contains=[country.upper()]).first()
    return found or Jurisdiction.objects.filter(is_default=True).first()


# --- Games --------------------------------------------------------------------------------------

def _validate_game(game: Game) -> None:
    try:
        game.full_clean(exclude=["jurisdictions"])
    except ValidationError as exc:
        raise ApplicationError("; ".join(f"{k}: {', '.join(v)}" for k, v in exc.message_dict.items()),
                               code="invalid") from exc


@transaction.atomic
def game_create(*, provider: Provider, external_id: str, title: str, rtp: Decimal | str,
                game_type: str = GameType.SLOT, volatility: str = Volatility.MEDIUM, category=None,
                certificate_ref: str = "", jurisdictions=None, is_active: bool = True,
                actor=None, actor_label: str = "") -> Game:
    """Add a game at version 1. ``jurisdictions``: where it is approved (None: every jurisdiction)."""
    if Game.objects.filter(provider=provider, external_id=external_id).exists():
        raise ApplicationError(f"{provider.code} already has a game {external_id!r}.", code="duplicate")
    game = Game(provider=provider, external_id=external_id, title=title, rtp=to_decimal(rtp), game_type=game_type,
                volatility=volatility, category=category, certificate_ref=certificate_ref, is_active=is_active)
    _validate_game(game)
    game.save()
    game.jurisdictions.set(Jurisdiction.objects.all() if jurisdictions is None else jurisdictions)
    GameVersion.objects.create(game=game, version=1, rtp=game.rtp, certificate_ref=certificate_ref,
                               created_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit_record(actor=actor, actor_label=actor_label, action="game.create", target=game,
                 after={**snapshot(game), "jurisdictions": sorted(j.code for j in game.jurisdictions.all())})
    return game


@transaction.atomic
def game_update(*, game_id: int, actor=None, jurisdictions=None, actor_label: str = "", **changes) -> Game:
    """Edit a game. A change of RTP or certificate makes a new version (GLI-19 A.6.1)."""
    allowed = {"title", "game_type", "category", "rtp", "volatility", "certificate_ref"}
    unknown = set(changes) - allowed
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))} here.", code="invalid")
    game = Game.objects.select_for_update(no_key=True).get(pk=game_id)
    before = {**snapshot(game), "jurisdictions": sorted(game.jurisdictions.values_list("code", flat=True))}
    if "rtp" in changes:
        changes["rtp"] = to_decimal(changes["rtp"])
    new_version = any(k in changes and changes[k] != getattr(game, k) for k in ("rtp", "certificate_ref"))
    for k, v in changes.items():
        setattr(game, k, v)
    _validate_game(game)
    fields = [*changes]
    if new_version:
        game.version += 1
        fields.append("version")
        GameVersion.objects.create(game=game, version=game.version, rtp=game.rtp, certificate_ref=game.certificate_ref,
                                   created_by=actor if getattr(actor, "is_authenticated", False) else None)
    game.save(update_fields=[*fields, "updated_at"])
    if jurisdictions is not None:
        game.jurisdictions.set(jurisdictions)
    after = {**snapshot(game), "jurisdictions": sorted(game.jurisdictions.values_list("code", flat=True))}
    audit_record(actor=actor, actor_label=actor_label, action="game.change", target=game, before=before, after=after)
    return game


@transaction.atomic
def game_set_active(*, game_ids: list[int], active: bool, reason: str = "", actor=None) -> int:
    """Activate or deactivate games (one or many). Deactivating needs a reason. Returns how many changed."""
    reason = (reason or "").strip()
    if not active and not reason:
        raise ApplicationError("Say why the game is being disabled.", code="reason")
    changed = 0
    for game in Game.objects.select_for_update(no_key=True).filter(pk__in=game_ids).order_by("pk"):
        if game.is_active == active:
            continue
        game.is_active, game.disabled_reason = active, "" if active else reason[:255]
        game.save(update_fields=["is_active", "disabled_reason", "updated_at"])
        audit_record(actor=actor, action="game.activate" if active else "game.deactivate", target=game,
                     before={"is_active": not active}, after={"is_active": active}, reason=reason)
        changed += 1
    return changed


# --- CSV catalogue import -------------------------------------------------------------------------

CSV_COLUMNS = ["game_id", "title", "type", "category", "rtp", "volatility", "certificate", "jurisdictions", "active"]
CSV_MAX_ROWS = 20_000


@dataclass
class ImportRow:
    line: int
    game_id: str
    title: str
    action: str  # "create" | "update" | "unchanged" | "error"
    changes: dict = field(default_factory=dict)
    error: str = ""


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    applied: bool = False

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def errors(self) -> list[ImportRow]:
        return [r for r in self.rows if r.action == "error"]


def _parse_row(raw: dict, line: int, categories: dict, jurisdictions: dict) -> tuple[ImportRow, dict]:
    gid = (raw.get("game_id") or "").strip()
    title = (raw.get("title") or "").strip()
    row = ImportRow(line=line, game_id=gid, title=title, action="error")
    if not gid or len(gid) > EXTERNAL_ID_MAX:
        row.error = "game_id is required (at most 128 characters)"
        return row, {}
    if not title:
        row.error = "title is required"
        return row, {}
    values: dict = {"title": title[:200]}
    gtype = (raw.get("type") or "slot").strip().lower()
    if gtype not in GameType.values:
        row.error = f"type must be one of {', '.join(GameType.values)}"
        return row, {}
    values["game_type"] = gtype
    vol = (raw.get("volatility") or "medium").strip().lower().replace(" ", "_")
    if vol not in Volatility.values:
        row.error = f"volatility must be one of {', '.join(Volatility.values)}"
        return row, {}
    values["volatility"] = vol
    try:
        rtp = to_decimal((raw.get("rtp") or "").strip().rstrip("%"))
    except (TypeError, ValueError):
        row.error = "rtp must be a decimal number such as 96.10"
        return row, {}
    if not (Decimal(0) <= rtp <= Decimal(100)) or rtp.as_tuple().exponent < -2:
        row.error = "rtp must be between 0 and 100 with at most 2 decimals"
        return row, {}
    values["rtp"] = rtp
    cat = (raw.get("category") or "").strip().lower()
    if cat:
        if cat not in categories:
            row.error = f"unknown category {cat!r}"
            return row, {}
        values["category"] = categories[cat]
    values["certificate_ref"] = (raw.get("certificate") or "").strip()[:120]
    codes = [c.strip().lower() for c in (raw.get("jurisdictions") or "").replace(";", ",").split(",") if c.strip()]
    missing = [c for c in codes if c not in jurisdictions]
    if missing:
        row.error = f"unknown jurisdictions: {', '.join(missing)}"
        return row, {}
    values["jurisdictions"] = [jurisdictions[c] for c in codes] if codes else None
    active = (raw.get("active") or "yes").strip().lower()
    if active not in {"yes", "no", "true", "false", "1", "0", "y", "n"}:
        row.error = "active must be yes or no"
        return row, {}
    values["is_active"] = active in {"yes", "true", "1", "y"}
    row.action = "ok"
    return row, values


def catalogue_import(*, provider: Provider, data: bytes | str, dry_run: bool = True, actor=None) -> ImportReport:
    """Import a provider's catalogue from CSV (columns: CSV_COLUMNS). A dry run reports without writing.

    Applying is all or nothing: any error row refuses the whole file.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ApplicationError("The file is not UTF-8 text.", code="encoding") from None
    reader = csv.DictReader(io.StringIO(data))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "game_id" not in header or "title" not in header or "rtp" not in header:
        raise ApplicationError(f"The header must include game_id, title and rtp (columns: {', '.join(CSV_COLUMNS)}).",
                               code="header")
    reader.fieldnames = header
    categories = {c.slug: c for c in LobbyCategory.objects.all()}
    jurisdictions = {j.code: j for j in Jurisdiction.objects.all()}
    existing = {g.external_id: g for g in Game.objects.filter(provider=provider).prefetch_related("jurisdictions")}
    report, seen, plan = ImportReport(), set(), []
    for n, raw in enumerate(reader, start=2):
        if n - 1 > CSV_MAX_ROWS:
            raise ApplicationError(f"At most {CSV_MAX_ROWS} rows per file.", code="size")
        row, values = _parse_row(raw, n, categories, jurisdictions)
        if not row.error:
            if row.game_id in seen:
                row.action, row.error = "error", "game_id appears twice in the file"
            else:
                seen.add(row.game_id)
                game = existing.get(row.game_id)
                if game is None:
                    row.action, row.changes = "create", {k: str(v) for k, v in values.items() if k != "jurisdictions"}
                else:
                    diff = {}
                    for k, v in values.items():
                        if k == "jurisdictions":
                            cur = sorted(j.code for j in game.jurisdictions.all())
                            new = sorted(j.code for j in v) if v is not None else cur
                            if cur != new:
                                diff[k] = f"{','.join(cur)} → {','.join(new)}"
                        elif k == "is_active":
                            continue  # activation goes through game_set_active (needs a reason)
                        elif getattr(game, k) != v:
                            diff[k] = f"{getattr(game, k)} → {v}"
                    row.action, row.changes = ("update" if diff else "unchanged"), diff
                plan.append((row, values, game))
        report.rows.append(row)
    if dry_run or report.errors:
        return report
    with transaction.atomic():
        for row, values, game in plan:
            if row.action == "create":
                game_create(provider=provider, external_id=row.game_id, actor=actor, **values)
            elif row.action == "update":
                jur = values.pop("jurisdictions")
                values.pop("is_active")
                game_update(game_id=game.pk, actor=actor, jurisdictions=jur, **values)
        audit_record(actor=actor, action="game.import", target=provider,
                     after={"created": report.count("create"), "updated": report.count("update")})
    report.applied = True
    return report
