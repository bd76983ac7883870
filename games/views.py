from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse

from backoffice.exceptions import ApplicationError
from backoffice.filtersets import restrict_form_fields
from backoffice.views import generic
from games import filtersets, forms, selectors, services, tables
from games.models import (
    Game,
    GameVersion,
    Jurisdiction,
    LobbyCategory,
    LobbyPlacement,
    Provider,
    Round,
    WalletTransaction,
)

# --- Providers --------------------------------------------------------------------------------------

class ProviderListView(generic.ObjectListView):
    queryset = Provider.objects.annotate(game_count=Count("games"))
    table = tables.ProviderTable
    filterset = filtersets.ProviderFilterSet
    add_url = "games:provider_add"


class ProviderView(generic.ObjectDetailView):
    queryset = Provider.objects.all()
    template_name = "games/provider.html"
    detail_fields = ["code", "name", "kind", "is_active", "secret_rotated_at", "previous_secret_valid_until",
                     "created_at"]
    buttons = [("Edit", "games:provider_edit", "change", "secondary"),
               ("Rotate secret", "games:provider_rotate", "rotate", "ghost")]

    related_tables = [generic.RelatedTable(
        "games_table", lambda provider: Game.objects.filter(provider=provider).select_related("provider", "category"),
        tables.GameTable, limit=50, options={"orderable": False})]

    def get_extra_context(self, obj):
        return {"wallet_url": f"/api/wallet/v1/{obj.code}/"}


class ProviderAddView(generic.ActionView):
    queryset = Provider.objects.all()
    action = "add"
    form = forms.ProviderCreateForm
    title = "Add a game provider"
    submit_label = "Create provider"
    cancel_url = "games:provider_list"

    def perform(self, obj, form):
        provider, self.secret = services.provider_create(actor=self.request.user, **form.cleaned_data)
        return provider

    def get_success_message(self, result):
        return (f"Provider “{result.code}” created. Its signing secret, shown only now: {self.secret} — "
                "give it to the provider over a secure channel.")


class ProviderEditView(generic.ObjectEditView):
    queryset = Provider.objects.all()
    form = forms.ProviderForm

    def get_action(self):
        return "change"


class ProviderRotateView(generic.ActionView):
    queryset = Provider.objects.all()
    action = "rotate"
    form = forms.ProviderRotateForm
    title = "Rotate the signing secret"
    submit_label = "Issue a new secret"

    def perform(self, obj, form):
        provider, self.secret = services.provider_secret_rotate(provider_id=obj.pk, actor=self.request.user,
                                                                **form.cleaned_data)
        return provider

    def get_success_message(self, result):
        grace = (f" The previous secret works until {result.previous_secret_valid_until:%Y-%m-%d %H:%M} UTC."
                 if result.previous_secret_valid_until else " The previous secret no longer works.")
        return f"New signing secret, shown only now: {self.secret}.{grace}"


# --- Games ------------------------------------------------------------------------------------------

class GameListView(generic.ObjectListView):
    queryset = Game.objects.select_related("provider", "category")
    table = tables.GameTable
    filterset = filtersets.GameFilterSet
    add_url = "games:game_add"
    template_name = "games/game_list.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if hasattr(response, "context_data"):
            base = type(self).queryset.all()
            response.context_data.update(can_toggle=base.can(request.user, "toggle"),
                                         can_import=base.can(request.user, "import"))
        return response


class GameView(generic.ObjectDetailView):
    queryset = Game.objects.select_related("provider", "category").prefetch_related("jurisdictions")
    template_name = "games/game.html"
    detail_fields = ["title", "provider", "external_id", "game_type", "category", "rtp", "volatility",
                     "certificate_ref", "version", "is_active", "disabled_reason", "created_at", "updated_at"]
    buttons = [("Edit", "games:game_edit", "change", "secondary"),
               ("Disable", "games:game_disable", "toggle", "ghost"),
               ("Enable", "games:game_enable", "toggle", "ghost")]

    def object_actions(self, obj):
        hide = "Enable" if obj.is_active else "Disable"
        return [b for b in super().object_actions(obj) if b["label"] != hide]

    related_tables = [generic.RelatedTable(
        "rounds_table", lambda game: Round.objects.filter(game=game).select_related("player", "game", "provider"),
        tables.RoundTable, limit=20,
        options={"orderable": False, "empty_text": "No rounds played yet.",
                 "columns": ("id", "round_ref", "opened_at", "player", "status", "bet_total", "win_total")})]

    def get_extra_context(self, obj):
        jurisdictions = self.child_rows(Jurisdiction.objects.filter(games=obj))
        return {
            "rtp_rows": selectors.game_rtp_actual(user=self.request.user, game=obj),
            "versions": self.child_rows(GameVersion.objects.filter(game=obj).select_related("created_by")),
            "jurisdictions": None if jurisdictions is None else list(jurisdictions),
        }


def _game_initial(game):
    return {"title": game.title, "game_type": game.game_type, "category": game.category, "rtp": game.rtp,
            "volatility": game.volatility, "certificate_ref": game.certificate_ref,
            "jurisdictions": list(game.jurisdictions.all())}


class GameAddView(generic.ActionView):
    queryset = Game.objects.all()
    action = "add"
    form = forms.GameCreateForm
    title = "Add a game"
    submit_label = "Create game"
    cancel_url = "games:game_list"
    success_message = "Game created."

    def perform(self, obj, form):
        data = dict(form.cleaned_data)
        return services.game_create(actor=self.request.user, **data)


class GameEditView(generic.ActionView):
    queryset = Game.objects.all()
    action = "change"
    form = forms.GameEditForm
    title = "Edit game"
    success_message = "Game saved."

    def get_form_kwargs(self, obj):
        return {"initial": _game_initial(obj)}

    def perform(self, obj, form):
        data = dict(form.cleaned_data)
        jurisdictions = data.pop("jurisdictions")
        return services.game_update(game_id=obj.pk, actor=self.request.user, jurisdictions=jurisdictions, **data)

    def get_success_message(self, result):
        return f"Game saved (version {result.version})."


class GameDisableView(generic.ActionView):
    queryset = Game.objects.all()
    action = "toggle"
    form = forms.GameDisableForm
    title = "Disable game"
    submit_label = "Disable"
    success_message = "Game disabled: new bets are refused."

    def perform(self, obj, form):
        services.game_set_active(game_ids=[obj.pk], active=False, reason=form.cleaned_data["reason"],
                                 actor=self.request.user)
        return obj


class GameEnableView(GameDisableView):
    form = forms.GameEnableForm
    title = "Enable game"
    submit_label = "Enable"
    success_message = "Game enabled."

    def perform(self, obj, form):
        services.game_set_active(game_ids=[obj.pk], active=True, reason=form.cleaned_data["reason"],
                                 actor=self.request.user)
        return obj


class GameBulkView(generic.ActionView):
    queryset = Game.objects.all()
    action = "toggle"
    form = forms.GameBulkForm
    title = "Activate or deactivate games"
    submit_label = "Apply"
    success_url = cancel_url = "games:game_list"

    def get_form_kwargs(self, obj):
        ids = [i for i in self.request.GET.getlist("game") if i.isdigit()]
        return {"initial": {"games": ids}} if ids else {}

    def perform(self, obj, form):
        d = form.cleaned_data
        self.changed = services.game_set_active(game_ids=[g.pk for g in d["games"]], active=d["activate"],
                                                reason=d["reason"], actor=self.request.user)

    def get_success_message(self, result):
        return f"{self.changed} game(s) changed."


class GameImportView(generic.ActionView):
    queryset = Game.objects.all()
    action = "import"
    form = forms.GameImportForm
    title = "Import a provider's catalogue (CSV)"
    template_name = "games/game_import.html"
    submit_label = "Preview"
    cancel_url = "games:game_list"

    def get_form(self, obj):
        form = self.form(self.request.POST or None, self.request.FILES or None)

        restrict_form_fields(form, self.request.user)
        return form

    def post(self, request, *args, **kwargs):
        form = self.get_form(None)
        report = None
        if form.is_valid():
            d = form.cleaned_data
            if d["file"].size > 5 * 1024 * 1024:
                form.add_error("file", "At most 5 MB.")
            else:
                try:
                    report = services.catalogue_import(provider=d["provider"], data=d["file"].read(),
                                                       dry_run=not d["apply"], actor=request.user)
                except ApplicationError as exc:
                    form.add_error(None, exc.message)
        if report is not None and report.applied:
            messages.success(request, f"Catalogue imported: {report.count('create')} created, "
                                      f"{report.count('update')} updated.")
            return HttpResponseRedirect(f"{reverse('games:game_list')}?provider={form.cleaned_data['provider'].pk}")
        response = self.render(None, form)
        response.context_data["report"] = report
        response.context_data["columns"] = services.CSV_COLUMNS
        return response

    def render(self, obj, form):
        response = super().render(obj, form)
        response.context_data.setdefault("columns", services.CSV_COLUMNS)
        return response


# --- Jurisdictions ----------------------------------------------------------------------------------

class JurisdictionListView(generic.ObjectListView):
    queryset = Jurisdiction.objects.annotate(game_count=Count("games"))
    table = tables.JurisdictionTable
    filterset = filtersets.JurisdictionFilterSet
    add_url = "games:jurisdiction_add"


class JurisdictionView(generic.ObjectDetailView):
    queryset = Jurisdiction.objects.all()
    template_name = "games/jurisdiction.html"
    detail_fields = ["code", "name", "countries", "is_default"]
    buttons = [("Edit", "games:jurisdiction_edit", "change", "secondary")]

    def get_fields(self, obj):
        return [(label, ", ".join(value) if isinstance(value, list) else value)
                for label, value in super().get_fields(obj)]

    def get_extra_context(self, obj):
        return {"lobby": services.lobby_build(jurisdiction=obj), "api_url": f"/api/lobby/v1/{obj.code}"}


class JurisdictionEditView(generic.ObjectEditView):
    queryset = Jurisdiction.objects.all()
    form = forms.JurisdictionForm


# --- Lobby ------------------------------------------------------------------------------------------

class LobbyCategoryListView(generic.ObjectListView):
    queryset = LobbyCategory.objects.annotate(placement_count=Count("placements"))
    table = tables.LobbyCategoryTable
    filterset = filtersets.LobbyCategoryFilterSet
    add_url = "games:lobbycategory_add"
    title = "Lobby"
    template_name = "games/lobby_list.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if hasattr(response, "context_data"):
            response.context_data["jurisdictions"] = Jurisdiction.objects.restrict(request.user)
        return response


class LobbyCategoryView(generic.ObjectDetailView):
    queryset = LobbyCategory.objects.all()
    template_name = "games/lobbycategory.html"
    detail_fields = ["name", "slug", "position", "is_active"]
    buttons = [("Edit", "games:lobbycategory_edit", "change", "secondary"),
               ("Add a game", "games:lobbycategory_place", "change", "secondary"),
               ("Order", "games:lobbycategory_order", "change", "ghost")]

    def get_extra_context(self, obj):
        placements = LobbyPlacement.objects.filter(category=obj).select_related("game", "game__provider")
        return {"placements": self.child_rows(placements.order_by("position", "id"))}


class LobbyCategoryEditView(generic.ObjectEditView):
    queryset = LobbyCategory.objects.all()
    form = forms.LobbyCategoryForm


class LobbyPlaceView(generic.ActionView):
    queryset = LobbyCategory.objects.all()
    action = "change"
    form = forms.PlacementAddForm
    title = "Place a game"
    submit_label = "Place"
    success_message = "Game placed."

    def perform(self, obj, form):
        return services.lobby_place(category_id=obj.pk, actor=self.request.user, **form.cleaned_data)


class LobbyOrderView(generic.ActionView):
    queryset = LobbyCategory.objects.all()
    action = "change"
    form = forms.LobbyOrderForm
    title = "Order the category"
    template_name = "games/lobby_order.html"
    submit_label = "Save order"
    success_message = "Order saved."

    def get_form_kwargs(self, obj):
        placements = LobbyPlacement.objects.restrict(self.request.user).filter(category=obj)
        return {"placements": placements.select_related("game").order_by("position", "id")}

    def perform(self, obj, form):
        d = form.cleaned_data
        entries = [(d[f"pos_{p.game_id}"], p.position, p.game_id) for p in form.placements
                   if not d.get(f"remove_{p.game_id}")]
        order = [gid for _, _, gid in sorted(entries)]
        featured = [p.game_id for p in form.placements if d.get(f"feat_{p.game_id}")]
        removed = [p.game_id for p in form.placements if d.get(f"remove_{p.game_id}")]
        return services.lobby_arrange(category_id=obj.pk, order=order, featured=featured, removed=removed,
                                      actor=self.request.user)


# --- Rounds -----------------------------------------------------------------------------------------

class RoundListView(generic.ObjectListView):
    queryset = Round.objects.select_related("player", "game", "provider")
    table = tables.RoundTable
    filterset = filtersets.RoundFilterSet


class RoundView(generic.ObjectDetailView):
    queryset = Round.objects.select_related("player", "game", "provider")
    template_name = "games/round.html"
    detail_fields = ["round_ref", "provider", "game", "game_version", "player", "currency", "status", "bet_total",
                     "bet_cash", "bet_bonus", "win_total", "win_cash", "win_bonus", "rolled_back", "opened_at",
                     "closed_at"]

    related_tables = [generic.RelatedTable("tx_table", lambda rnd: WalletTransaction.objects.filter(round=rnd),
                                           tables.WalletTransactionTable, options={"orderable": False})]

