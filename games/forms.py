"""Forms of the games app: CRUD forms for reference data, plain forms feeding services."""

from django import forms

from games.choices import GameType, ProviderKind, Volatility
from games.models import Game, Jurisdiction, LobbyCategory, Provider


class ProviderCreateForm(forms.Form):
    code = forms.SlugField(max_length=32, help_text="Lower-case code used in the wallet API URL.")
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=ProviderKind.choices)


class ProviderForm(forms.ModelForm):
    class Meta:
        model = Provider
        fields = ["name", "kind", "is_active"]


class ProviderRotateForm(forms.Form):
    grace_hours = forms.IntegerField(min_value=0, max_value=720, initial=24,
                                     help_text="How long the previous secret keeps working.")
    reason = forms.CharField(max_length=255)


class JurisdictionForm(forms.ModelForm):
    class Meta:
        model = Jurisdiction
        fields = ["code", "name", "countries", "is_default"]

    def clean_countries(self):
        codes = [c.strip().upper() for c in self.cleaned_data["countries"] if c.strip()]
        bad = [c for c in codes if len(c) != 2 or not c.isalpha()]
        if bad:
            raise forms.ValidationError(f"Not ISO-3166 alpha-2 codes: {', '.join(bad)}")
        return codes


class LobbyCategoryForm(forms.ModelForm):
    class Meta:
        model = LobbyCategory
        fields = ["slug", "name", "position", "is_active"]


class _GameFields(forms.Form):
    title = forms.CharField(max_length=200)
    game_type = forms.ChoiceField(choices=GameType.choices, label="Type")
    category = forms.ModelChoiceField(queryset=LobbyCategory.objects.all(), required=False)
    rtp = forms.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, label="Theoretical RTP %")
    volatility = forms.ChoiceField(choices=Volatility.choices)
    certificate_ref = forms.CharField(max_length=120, required=False, label="Certificate reference")
    jurisdictions = forms.ModelMultipleChoiceField(queryset=Jurisdiction.objects.all(), required=False,
                                                   widget=forms.CheckboxSelectMultiple,
                                                   help_text="Where the game is approved.")


class GameCreateForm(_GameFields):
    provider = forms.ModelChoiceField(queryset=Provider.objects.all())
    external_id = forms.CharField(max_length=128, label="Provider's game id")
    field_order = ["provider", "external_id"]


class GameEditForm(_GameFields):
    pass


class GameDisableForm(forms.Form):
    reason = forms.CharField(max_length=255, help_text="Recorded in the audit log.")


class GameEnableForm(forms.Form):
    reason = forms.CharField(max_length=255, required=False)


class GameBulkForm(forms.Form):
    games = forms.ModelMultipleChoiceField(queryset=Game.objects.select_related("provider"),
                                           widget=forms.SelectMultiple(attrs={"size": 14}))
    activate = forms.TypedChoiceField(choices=[("1", "Activate"), ("0", "Deactivate")], coerce=lambda v: v == "1",
                                      label="Action")
    reason = forms.CharField(max_length=255, required=False, help_text="Required to deactivate.")

    def clean(self):
        data = super().clean()
        if data.get("activate") is False and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the games are being disabled.")
        return data


class GameImportForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=Provider.objects.all())
    file = forms.FileField(help_text="CSV: game_id,title,type,category,rtp,volatility,certificate,jurisdictions,active")
    apply = forms.BooleanField(required=False, label="Apply (leave unticked for a dry-run preview)")


class PlacementAddForm(forms.Form):
    game = forms.ModelChoiceField(queryset=Game.objects.select_related("provider"))
    position = forms.IntegerField(min_value=1, required=False, help_text="Empty: at the end.")
    featured = forms.BooleanField(required=False)


class LobbyOrderForm(forms.Form):
    """Position numbers for every placement of a category (the page renders one field per placement)."""

    def __init__(self, *args, placements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.placements = list(placements)
        for p in self.placements:
            self.fields[f"pos_{p.game_id}"] = forms.IntegerField(
                min_value=1, initial=p.position, label=str(p.game),
                widget=forms.NumberInput(attrs={"class": "input-position"}))
            self.fields[f"feat_{p.game_id}"] = forms.BooleanField(required=False, initial=p.featured,
                                                                  label="featured")
            self.fields[f"remove_{p.game_id}"] = forms.BooleanField(required=False, label="remove")

    @property
    def rows(self):
        return [(p, self[f"pos_{p.game_id}"], self[f"feat_{p.game_id}"], self[f"remove_{p.game_id}"])
                for p in self.placements]
