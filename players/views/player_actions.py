"""Actions on a player (profile, status, KYC, limits, exclusions, credit, moves, tags, notes); the follow-ups queue."""

from __future__ import annotations

from backoffice.querysets import agent_for_user
from backoffice.views import generic
from players import filtersets, forms, services, tables
from players.models import Note, Player, RgLimit, Segment


def _without_test_mark(view, form):
    """Agents never see the test-account field: a test account leaves every report (operators only)."""
    if agent_for_user(view.request.user) is not None:
        del form.fields["is_test"]
    return form


class PlayerAddView(generic.ActionView):
    queryset = Player.objects.all()
    action = "add"
    form = forms.PlayerCreateForm
    title = "Add a player"
    submit_label = "Create player"
    cancel_url = "players:player_list"

    def get_form(self, obj):
        return _without_test_mark(self, super().get_form(obj))

    def perform(self, obj, form):
        return services.player_create(actor=self.request.user, **form.cleaned_data)

    def get_success_message(self, result):
        return f"Player “{result.username}” created."


class PlayerEditView(generic.ActionView):
    queryset = Player.objects.all()
    action = "change"
    form = forms.PlayerEditForm
    title = "Edit player"
    success_message = "Player saved."

    def get_form_kwargs(self, obj):
        return {"initial": {f: getattr(obj, f) for f in services.accounts.PROFILE_FIELDS}}

    def get_form(self, obj):
        return _without_test_mark(self, super().get_form(obj))

    def perform(self, obj, form):
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        return services.player_update(player=obj, actor=self.request.user, reason=reason, **data)


class PlayerStatusView(generic.ActionView):
    queryset = Player.objects.all()
    action = "status"
    form = forms.PlayerStatusForm
    title = "Change account status"
    success_message = "Status changed."

    def perform(self, obj, form):
        return services.player_status_set(player=obj, actor=self.request.user, **form.cleaned_data)


class PlayerKycSetView(generic.ActionView):
    queryset = Player.objects.all()
    action = "kyc"
    form = forms.PlayerKycForm
    success_url = "players:player_kyc"
    title = "Change KYC status"
    success_message = "KYC status changed."

    def perform(self, obj, form):
        services.player_kyc_set(player=obj, actor=self.request.user, **form.cleaned_data)


class PlayerLimitSetView(generic.ActionView):
    queryset = Player.objects.all()
    action = "limit"
    form = forms.RgLimitForm
    success_url = "players:player_limits"
    title = "Set a responsible-gambling limit"
    submit_label = "Set limit"
    confirm_label = "Set a limit of 0"

    def confirmation(self, obj, form):
        data = form.cleaned_data
        return services.rg_limit_confirmation(player=obj, kind=data["kind"], period=data["period"],
                                              amount=data["amount"])

    def perform(self, obj, form):
        data = form.cleaned_data
        _, self.outcome = services.rg_limit_set(player=obj, kind=data["kind"], period=data["period"],
                                                amount=data["amount"], source=data["source"],
                                                actor=self.request.user, reason=data["reason"])

    def get_success_message(self, result):
        return {"applied": "Limit in force now.", "unchanged": "Nothing changed.",
                "pending": "Increase requested: it takes effect after the 24-hour cooling-off."}[self.outcome]


class PlayerLimitConfirmView(generic.ActionView):
    queryset = Player.objects.all()
    action = "limit"
    form = forms.RgLimitConfirmForm
    success_url = "players:player_limits"
    title = "Record the player's confirmation of an increase"
    submit_label = "Confirm"
    success_message = "Increase confirmed and in force."

    def get_form_kwargs(self, obj):
        return {"pending": RgLimit.objects.restrict(self.request.user).filter(player=obj, pending_from__isnull=False)}

    def perform(self, obj, form):
        services.rg_limit_confirm(player=obj, limit_id=form.cleaned_data["limit"], actor=self.request.user)


class PlayerExclusionView(generic.ActionView):
    queryset = Player.objects.all()
    action = "limit"
    form = forms.RgExclusionForm
    success_url = "players:player_limits"
    title = "Time-out or self-exclusion"
    submit_label = "Continue"
    confirm_label = "Confirm: start now"
    success_message = "In force now. It cannot be lifted early."

    def get_form_kwargs(self, obj):
        return {"player": obj}

    def confirmation(self, obj, form):
        data = form.cleaned_data
        return services.rg_exclusion_confirmation(player=obj, kind=data["kind"], duration=data["timedelta"],
                                                  duration_label=data["duration_label"].lower())

    def perform(self, obj, form):
        data = form.cleaned_data
        services.rg_exclusion_start(player=obj, kind=data["kind"], duration=data["timedelta"],
                                    actor=self.request.user, reason=data["reason"])


class PlayerRealityCheckView(generic.ActionView):
    queryset = Player.objects.all()
    action = "limit"
    form = forms.RealityCheckForm
    success_url = "players:player_limits"
    title = "Reality-check interval"
    success_message = "Reality-check interval saved."

    def get_form_kwargs(self, obj):
        return {"initial": {"minutes": obj.reality_check_minutes}}

    def perform(self, obj, form):
        services.rg_reality_check_set(player=obj, actor=self.request.user, **form.cleaned_data)


class PlayerCreditView(generic.ActionView):
    queryset = Player.objects.all()
    action = "limit"
    form = forms.PlayerCreditForm
    title = "Credit limit and max wager"
    success_message = "Limits saved."

    def get_form_kwargs(self, obj):
        return {"initial": {"credit_limit": obj.credit_limit, "max_wager": obj.max_wager}}

    def perform(self, obj, form):
        return services.player_credit_set(player=obj, actor=self.request.user, **form.cleaned_data)


class PlayerMoveView(generic.ActionView):
    queryset = Player.objects.all()
    action = "move"
    form = forms.PlayerMoveForm
    title = "Move to another agent"
    submit_label = "Move"
    success_message = "Player moved."

    def get_form_kwargs(self, obj):
        return {"initial": {"agent": obj.agent_id}}

    def perform(self, obj, form):
        return services.player_move(player=obj, actor=self.request.user, **form.cleaned_data)


class PlayerTagsView(generic.ActionView):
    """Static tags are segments: changing a player's needs the player and the segments (Risk,
    administrators); Support, Marketing and agents never reach it (403)."""

    queryset = Player.objects.all()
    action = "change"
    also_requires = ((Segment, "change"),)
    form = forms.PlayerTagsForm
    title = "Tags"
    success_message = "Tags saved."

    def get_form_kwargs(self, obj):
        return {"initial": {"segments": list(obj.segments.values_list("pk", flat=True))}}

    def perform(self, obj, form):
        return services.player_segments_set(player=obj, segments=form.cleaned_data["segments"],
                                            actor=self.request.user)


class PlayerNoteAddView(generic.ActionView):
    queryset = Player.objects.all()
    action = "change"
    form = forms.NoteForm
    success_url = "players:player_notes"
    title = "Add a note"
    submit_label = "Save note"
    success_message = "Note saved."

    def get_form(self, obj):
        form = super().get_form(obj)
        if agent_for_user(self.request.user) is not None:
            del form.fields["visibility"]  # agents write only notes they can read back
        return form

    def perform(self, obj, form):
        services.note_create(player=obj, actor=self.request.user, **form.cleaned_data)


class FollowUpListView(generic.ObjectListView):
    queryset = Note.objects.follow_ups_open().select_related("player", "author", "assignee")
    table = tables.FollowUpTable
    filterset = filtersets.FollowUpFilterSet
    title = "Follow-ups"


class NoteDoneView(generic.ActionView):
    queryset = Note.objects.all()
    action = "change"
    form = forms.NoteDoneForm
    title = "Mark the follow-up done"
    submit_label = "Done"
    success_message = "Follow-up closed."

    def perform(self, obj, form):
        return services.note_follow_up_done(note=obj, actor=self.request.user)
