"""Player account services: registration, profile edits, status, KYC, moves, notes, segments, login hook."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from backoffice.exceptions import ApplicationError
from backoffice.money import CURRENCY_EXPONENTS, format_money, has_valid_precision, to_decimal
from backoffice.querysets import agent_for_user, agent_has_flag
from backoffice.services import audit_record, snapshot
from players.choices import KycStatus, NoteChannel, PlayerStatus, SegmentKind
from players.models import Agent, KycEvent, Note, Player, Segment
from players.rg_profiles import profile_for_country
from players.selectors import follow_up_assignees
from players.services.timeline import timeline_record
from players.visibility import Visibility, note_timeline_kind

PROFILE_FIELDS = ["email", "first_name", "last_name", "date_of_birth", "country", "vip_level",
                  "registration_source", "is_test"]
KYC_TRANSITIONS = {
    KycStatus.UNVERIFIED: {KycStatus.PENDING},
    KycStatus.PENDING: {KycStatus.VERIFIED, KycStatus.REJECTED, KycStatus.UNVERIFIED},
    KycStatus.VERIFIED: {KycStatus.PENDING},  # re-verification (documents expired, new information)
    KycStatus.REJECTED: {KycStatus.PENDING},  # new documents submitted
}
STATUS_TRANSITIONS = {
    PlayerStatus.ACTIVE: {PlayerStatus.SUSPENDED, PlayerStatus.CLOSED},
    PlayerStatus.SUSPENDED: {PlayerStatus.ACTIVE, PlayerStatus.CLOSED},
    PlayerStatus.CLOSED: set(),  # closing is final: a returning customer opens a new account
}
# A test account is left out of every report: marking one is operator staff's decision, never an agent's.
TEST_MARK_OPERATORS_ONLY = "Only operator staff mark test accounts."
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=30)


def _age_on(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def _validate_profile(*, country: str, date_of_birth: date | None, email: str, exclude_pk: int | None = None):
    if len(country or "") != 2 or not country.isalpha():
        raise ApplicationError("Country must be a two-letter ISO code.", code="country")
    if date_of_birth is not None:
        today = timezone.localdate()
        if date_of_birth > today or date_of_birth.year < 1900:
            raise ApplicationError("Enter a real date of birth.", code="date_of_birth")
        minimum = profile_for_country(country).minimum_age
        if _age_on(date_of_birth, today) < minimum:
            raise ApplicationError(f"Players must be at least {minimum} years old.", code="underage")
    if email and Player.objects.filter(email__iexact=email).exclude(pk=exclude_pk).exists():
        raise ApplicationError(f"Another player already uses {email}.", code="duplicate_email")


def _check_agent_scope(actor, agent: Agent | None, flag: str = "players.add_accounts") -> None:
    """An acting agent may only place players inside its own sub-tree, and only with the flag."""
    acting = agent_for_user(actor) if actor is not None else None
    if acting is None:
        return
    if not agent_has_flag(actor, acting, flag):
        raise ApplicationError("Your node does not hold the permission for this.", code="scope")
    if agent is None or not agent.path.startswith(acting.path):
        raise ApplicationError("Agents can only place players inside their own sub-tree.", code="scope")


def _check_credit(agent: Agent | None, credit_limit, max_wager, currency: str) -> tuple[Decimal | None, ...]:
    out = []
    for label, value, bound in (("Credit limit", credit_limit, agent.credit_limit if agent else None),
                                ("Max wager", max_wager, agent.max_wager if agent else None)):
        if value in (None, ""):
            out.append(None)
            continue
        try:
            value = to_decimal(value)
        except (TypeError, ValueError):
            raise ApplicationError(f"{label} must be a number.", code="limit") from None
        if value < 0:
            raise ApplicationError(f"{label} cannot be negative.", code="limit")
        if not has_valid_precision(value, currency):
            raise ApplicationError(f"{label} has too many decimals for {currency}.", code="limit")
        if bound is not None and value > bound:
            raise ApplicationError(f"{label} cannot exceed the agent's ({format_money(bound, agent.currency)}).",
                                   code="limit")
        out.append(value)
    return tuple(out)


@transaction.atomic
def player_create(*, username: str, currency: str, country: str, email: str = "", agent: Agent | None = None,
                  actor=None, first_name: str = "", last_name: str = "", date_of_birth: date | None = None,
                  vip_level: int = 0, registration_source: str = "", is_test: bool = False,
                  credit_limit: Decimal | str | None = None, max_wager: Decimal | str | None = None,
                  actor_label: str = "") -> Player:
    """Register a player account (the page, ``create_player`` and the demo all come here)."""
    username, email, country = username.strip(), email.strip().lower(), country.strip().upper()
    if not username:
        raise ApplicationError("A username is required.", code="username")
    if Player.objects.filter(username__iexact=username).exists():
        raise ApplicationError(f"A player named {username!r} already exists.", code="duplicate")
    if currency not in CURRENCY_EXPONENTS:
        raise ApplicationError(f"Unknown currency {currency!r}.", code="currency")
    _validate_profile(country=country, date_of_birth=date_of_birth, email=email)
    if agent is not None:
        agent = Agent.objects.select_for_update().get(pk=agent.pk)
        if not agent.is_active:
            raise ApplicationError(f"Agent {agent.code} is inactive.", code="agent")
        if currency != agent.currency:
            raise ApplicationError(f"Players of {agent.code} play in {agent.currency}.", code="currency")
    _check_agent_scope(actor, agent)
    if is_test and agent_for_user(actor) is not None:
        raise ApplicationError(TEST_MARK_OPERATORS_ONLY, code="is_test")
    credit_limit, max_wager = _check_credit(agent, credit_limit, max_wager, currency)
    player = Player(username=username, currency=currency, country=country, email=email, agent=agent,
                    first_name=first_name, last_name=last_name, date_of_birth=date_of_birth, vip_level=vip_level,
                    registration_source=registration_source, is_test=is_test, credit_limit=credit_limit,
                    max_wager=max_wager)
    player.full_clean()
    player.save()
    # The agent's code is staff-only: after a move, the player's first agent may belong to another tree.
    timeline_record(player_id=player.pk, kind="players.registered", summary="Account registered",
                    staff_summary=f"Account registered under agent {agent.code}" if agent else "",
                    actor=actor, data={"source": registration_source} if registration_source else None)
    audit_record(actor=actor, actor_label=actor_label, action="player.create", target=player, after=snapshot(player))
    return player


def _lock(player) -> Player:
    return Player.objects.select_for_update(no_key=True).get(pk=player.pk)


@transaction.atomic
def player_update(*, player, actor=None, reason: str = "", **fields) -> Player:
    """Edit profile fields (not status, KYC, agent or limits: they have their own services)."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ApplicationError(f"Not editable here: {', '.join(sorted(unknown))}.", code="invalid")
    player = _lock(player)
    if "email" in fields:
        fields["email"] = (fields["email"] or "").strip().lower()
    if "country" in fields:
        fields["country"] = (fields["country"] or "").strip().upper()
    merged = {k: fields.get(k, getattr(player, k)) for k in ("country", "date_of_birth", "email")}
    _validate_profile(**merged, exclude_pk=player.pk)
    if player.kyc_status == KycStatus.VERIFIED and "date_of_birth" in fields \
            and fields["date_of_birth"] != player.date_of_birth:
        raise ApplicationError("The date of birth of a verified player changes only through re-verification.",
                               code="kyc")
    changed = [k for k, v in fields.items() if getattr(player, k) != v]
    if "is_test" in changed and agent_for_user(actor) is not None:
        raise ApplicationError(TEST_MARK_OPERATORS_ONLY, code="is_test")
    if not changed:
        return player
    before = snapshot(player, fields=changed)
    for k in changed:
        setattr(player, k, fields[k])
    player.full_clean()
    player.save(update_fields=changed)
    timeline_record(player_id=player.pk, kind="players.profile_changed",
                    summary=f"Profile changed: {', '.join(changed)}", actor=actor)
    audit_record(actor=actor, action="player.change", target=player, before=before,
                 after=snapshot(player, fields=changed), reason=reason)
    return player


@transaction.atomic
def player_status_set(*, player, status: str, reason: str, actor=None) -> Player:
    """Suspend, reactivate or close an account (with a reason). Closing is final."""
    if not reason.strip():
        raise ApplicationError("A reason is required.", code="reason")
    player = _lock(player)
    if agent_for_user(actor) is not None:
        _check_agent_scope(actor, player.agent, flag="players.change_status")
    if status not in STATUS_TRANSITIONS.get(player.status, set()):
        raise ApplicationError(f"A {player.get_status_display().lower()} account cannot become {status}.",
                               code="transition")
    before = player.status
    player.status = status
    player.save(update_fields=["status"])
    # The reason staff typed is staff-only (it may name an AML investigation: tipping off).
    timeline_record(player_id=player.pk, kind="players.status", actor=actor, summary=f"Status {before} → {status}",
                    staff_summary=f"Status {before} → {status}: {reason}")
    audit_record(actor=actor, action="player.status", target=player, before={"status": before},
                 after={"status": status}, reason=reason)
    return player


@transaction.atomic
def player_kyc_set(*, player, status: str, reason: str = "", actor=None) -> Player:
    """Move KYC along unverified > pending > verified | rejected. Underage players cannot be verified."""
    player = _lock(player)
    if status not in KYC_TRANSITIONS.get(player.kyc_status, set()):
        raise ApplicationError(f"KYC cannot go from {player.kyc_status} to {status}.", code="transition")
    if status in (KycStatus.REJECTED,) and not reason.strip():
        raise ApplicationError("A reason is required to reject.", code="reason")
    if status == KycStatus.VERIFIED:
        if player.date_of_birth is None:
            raise ApplicationError("A date of birth is required to verify.", code="underage")
        minimum = player.rg_profile.minimum_age
        if _age_on(player.date_of_birth, timezone.localdate()) < minimum:
            raise ApplicationError(f"The player is under {minimum}: cannot be verified.", code="underage")
    before = player.kyc_status
    player.kyc_status = status
    player.save(update_fields=["kyc_status"])
    KycEvent.objects.create(player=player, from_status=before, to_status=status, reason=reason,
                            actor=actor if getattr(actor, "pk", None) else None)
    timeline_record(player_id=player.pk, kind="players.kyc", actor=actor, summary=f"KYC {before} → {status}",
                    staff_summary=f"KYC {before} → {status}" + (f": {reason}" if reason else ""))
    audit_record(actor=actor, action="player.kyc", target=player, before={"kyc_status": before},
                 after={"kyc_status": status}, reason=reason)
    return player


@transaction.atomic
def player_move(*, player, agent: Agent | None, reason: str = "", actor=None) -> Player:
    """Move a player to another agent node (or off the tree: operators only). Audited."""
    player = _lock(player)
    if agent is not None:
        agent = Agent.objects.select_for_update().get(pk=agent.pk)
        if agent.currency != player.currency:
            raise ApplicationError(f"{agent.code} works in {agent.currency}; the player in {player.currency}.",
                                   code="currency")
        if not agent.is_active:
            raise ApplicationError(f"Agent {agent.code} is inactive.", code="agent")
    _check_agent_scope(actor, agent, flag="players.move_players")
    if agent_for_user(actor) is not None and player.agent is not None:
        _check_agent_scope(actor, player.agent, flag="players.move_players")
    if player.agent_id == (agent.pk if agent else None):
        raise ApplicationError("The player is already there.", code="unchanged")
    _check_credit(agent, player.credit_limit, player.max_wager, player.currency)
    before = player.agent.code if player.agent else None
    player.agent = agent
    player.save(update_fields=["agent"])
    after = agent.code if agent else None
    # Agents of the new tree read the player's history: the other tree's code is staff-only.
    timeline_record(player_id=player.pk, kind="players.moved", actor=actor, summary="Moved to another agent",
                    staff_summary=f"Moved from {before or 'no agent'} to {after or 'no agent'}")
    audit_record(actor=actor, action="player.move", target=player, before={"agent": before}, after={"agent": after},
                 reason=reason)
    return player


@transaction.atomic
def player_credit_set(*, player, credit_limit, max_wager, reason: str = "", actor=None) -> Player:
    """Set a PPH player's credit limit and max wager, never above its agent's."""
    player = _lock(player)
    agent = player.agent
    if agent_for_user(actor) is not None:
        _check_agent_scope(actor, agent, flag="players.set_player_limits")
    credit_limit, max_wager = _check_credit(agent, credit_limit, max_wager, player.currency)
    before = snapshot(player, fields=["credit_limit", "max_wager"])
    player.credit_limit, player.max_wager = credit_limit, max_wager
    player.save(update_fields=["credit_limit", "max_wager"])
    timeline_record(player_id=player.pk, kind="players.credit_limits", actor=actor,
                    summary=f"Credit limit {format_money(credit_limit, player.currency)}, "
                            f"max wager {format_money(max_wager, player.currency)}")
    audit_record(actor=actor, action="player.credit_limits", target=player, before=before,
                 after=snapshot(player, fields=["credit_limit", "max_wager"]), reason=reason)
    return player


@transaction.atomic
def player_segments_set(*, player, segments, actor=None) -> Player:
    """Set the player's static tags among those ``actor`` may change (rule-based segments are computed,
    never assigned). Tags the actor may not change stay as they are: a form that cannot show them (an
    empty list) never removes them. ``actor=None`` (commands, the demo) may change every tag."""
    player = _lock(player)
    segments = list(segments)
    if any(s.kind != SegmentKind.STATIC for s in segments):
        raise ApplicationError("Only static tags can be assigned.", code="invalid")
    editable = Segment.objects.filter(kind=SegmentKind.STATIC)
    if actor is not None:
        editable = editable.restrict(actor, "change")
    editable_ids = set(editable.values_list("pk", flat=True))
    if any(s.pk not in editable_ids for s in segments):
        raise ApplicationError("You may not assign that tag.", code="scope")
    current = {s.pk: s.name for s in player.segments.all()}
    wanted = {s.pk: s.name for s in segments}
    removed = [pk for pk in current if pk in editable_ids and pk not in wanted]
    added = [pk for pk in wanted if pk not in current]
    if not removed and not added:
        return player
    player.segments.remove(*removed)
    player.segments.add(*added)
    before = sorted(current.values())
    after = sorted([name for pk, name in current.items() if pk not in removed] + [wanted[pk] for pk in added])
    timeline_record(player_id=player.pk, kind="players.tags", actor=actor,  # a staff-only kind: names segments
                    summary=f"Tags: {', '.join(after) or 'none'}")
    audit_record(actor=actor, action="player.tags", target=player, before={"tags": before}, after={"tags": after})
    return player


# --- Notes and follow-ups ----------------------------------------------------------------------------

@transaction.atomic
def note_create(*, player, text: str, channel: str = NoteChannel.NOTE, actor=None, follow_up_on: date | None = None,
                assignee=None, visibility: str = Visibility.ALL) -> Note:
    if not text.strip():
        raise ApplicationError("The note is empty.", code="text")
    if channel not in NoteChannel.values:
        raise ApplicationError("Unknown channel.", code="channel")
    if visibility not in Visibility.values:
        raise ApplicationError("Unknown visibility.", code="visibility")
    if visibility == Visibility.STAFF and agent_for_user(actor) is not None:
        raise ApplicationError("An agent cannot write a note it would not see.", code="visibility")
    if follow_up_on is not None and follow_up_on < timezone.localdate():
        raise ApplicationError("The follow-up date is in the past.", code="follow_up_on")
    if assignee is not None and follow_up_on is None:
        raise ApplicationError("Give a follow-up date for the assignee.", code="follow_up_on")
    if assignee is not None and not follow_up_assignees().filter(pk=assignee.pk).exists():
        raise ApplicationError("This login may not be assigned follow-ups.", code="assignee")
    note = Note.objects.create(player_id=player.pk, text=text.strip(), channel=channel,
                               author=actor if getattr(actor, "pk", None) else None,
                               follow_up_on=follow_up_on, assignee=assignee, visibility=visibility)
    label = NoteChannel(channel).label
    timeline_record(player_id=player.pk, kind=note_timeline_kind(visibility), actor=actor,
                    summary=f"{label}: {note.text}"[:300], ref_type="players.note", ref_id=str(note.pk))
    audit_record(actor=actor, action="note.create", target=note,
                 after=snapshot(note, fields=["player", "channel", "text", "follow_up_on", "assignee", "visibility"]))
    return note


@transaction.atomic
def note_follow_up_done(*, note, actor=None) -> Note:
    note = Note.objects.select_for_update().get(pk=note.pk)
    if note.follow_up_on is None or note.follow_up_done_at is not None:
        raise ApplicationError("There is no open follow-up on this note.", code="not_open")
    note.follow_up_done_at = timezone.now()
    note.save(update_fields=["follow_up_done_at"])
    timeline_record(player_id=note.player_id, kind=note_timeline_kind(note.visibility, "follow_up_done"), actor=actor,
                    summary=f"Follow-up of {note.created_at:%Y-%m-%d} done", ref_type="players.note",
                    ref_id=str(note.pk))
    audit_record(actor=actor, action="note.follow_up_done", target=note)
    return note


# --- Segments ------------------------------------------------------------------------------------

def segment_counts_refresh(*, segment_ids=None) -> int:
    """Recount members of every segment (periodic task and after an edit); lists read the stored count."""
    qs = Segment.objects.all() if segment_ids is None else Segment.objects.filter(pk__in=segment_ids)
    n = 0
    for segment in qs:
        count = segment.players(Player.objects.real()).count()
        Segment.objects.filter(pk=segment.pk).update(member_count=count, counted_at=timezone.now())
        n += 1
    return n


# --- Login-lockout hook for the player-facing site --------------------------------------------------

def player_login_allowed(*, player, at=None) -> bool:
    """Whether the player-facing site may accept a password for this player now."""
    at = at or timezone.now()
    return player.status == PlayerStatus.ACTIVE and (player.locked_until is None or player.locked_until <= at)


@transaction.atomic
def player_login_failed(*, player_id: int, at=None) -> Player:
    """Count a failed login; the fifth in a row locks the account for 30 minutes (audited)."""
    at = at or timezone.now()
    player = Player.objects.select_for_update(no_key=True).get(pk=player_id)
    player.failed_logins += 1
    fields = ["failed_logins"]
    if player.failed_logins >= MAX_FAILED_LOGINS:
        player.locked_until, player.failed_logins = at + LOCKOUT, 0
        fields.append("locked_until")
        timeline_record(player_id=player.pk, kind="players.login_locked", summary="Locked after failed logins")
        audit_record(action="player.login_locked", target=player, integration="player-site",
                     after={"locked_until": player.locked_until})
    player.save(update_fields=fields)
    return player


@transaction.atomic
def player_login_succeeded(*, player_id: int, at=None, ip: str = "") -> None:
    at = at or timezone.now()
    Player.objects.filter(pk=player_id).update(failed_logins=0, last_login_at=at)
    timeline_record(player_id=player_id, kind="players.login", summary="Logged in" + (f" from {ip}" if ip else ""),
                    occurred_at=at, integration="player-site")


def players_marketable(queryset=None, at=None):
    """Players who may receive marketing: active, not test accounts, not excluded or timed out now."""

    qs = Player.objects.all() if queryset is None else queryset
    return qs.filter(status=PlayerStatus.ACTIVE, is_test=False).not_excluded(at)
