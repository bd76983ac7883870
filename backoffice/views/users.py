"""Logins of the console (operator staff and agents): list, detail and the administrator's actions."""

from axes.models import AccessAttempt
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

from backoffice import filtersets, forms, services
from backoffice.models import AuditEvent, User
from backoffice.roles import ROLES
from backoffice.tables import AuditEventTable, UserTable
from backoffice.views import generic

_confirmed_device = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
USERS = User.objects.select_related("agent_node").prefetch_related("groups").annotate(
    two_factor=Exists(_confirmed_device))


class UserListView(generic.ObjectListView):
    queryset = USERS
    table = UserTable
    filterset = filtersets.UserFilterSet
    title = "Logins"
    add_url = "backoffice:user_add"


class UserView(generic.ObjectDetailView):
    queryset = USERS
    detail_fields = ["username", "first_name", "last_name", "email", "last_login", "date_joined"]
    template_name = "backoffice/user.html"
    buttons = [("Change role", "backoffice:user_role", "change", "secondary"),
               ("Activate / deactivate", "backoffice:user_active", "change", "ghost"),
               ("Reset 2FA", "backoffice:user_2fa_reset", "change", "ghost"),
               ("Unlock", "backoffice:user_unlock", "change", "ghost")]

    related_tables = [generic.RelatedTable(
        "actions_table", lambda user: AuditEvent.objects.filter(actor=user), AuditEventTable, limit=20,
        options={"orderable": False, "columns": ("seq", "created_at", "action", "object_repr", "ip")})]

    def get_extra_context(self, obj):
        return {
            "role": next((g.name for g in obj.groups.all() if g.name in ROLES), None),
            # Deliberately not restrict()ed: axes' lockout rows are not a product model; only a count shows.
            "failed_attempts": sum(AccessAttempt.objects.filter(username=obj.username)
                                   .values_list("failures_since_start", flat=True)),
        }


class UserAddView(generic.ActionView):
    queryset = User.objects.all()
    action = "add"
    form = forms.OperatorCreateForm
    title = "Add an operator login"
    submit_label = "Create login"
    cancel_url = "backoffice:user_list"

    def perform(self, obj, form):
        user, self.password = services.operator_create(actor=self.request.user, **form.cleaned_data)
        return user

    def get_success_message(self, result):
        return (f"Login “{result.username}” created. Its password, shown only now: {self.password} — "
                "two-factor enrolment happens at the first sign-in.")


class UserRoleView(generic.ActionView):
    queryset = User.objects.all()
    action = "change"
    form = forms.RoleForm
    title = "Change role"
    success_message = "Role changed."

    def get_form_kwargs(self, obj):
        return {"initial": {"role": next((g.name for g in obj.groups.all() if g.name in ROLES), None)}}

    def perform(self, obj, form):
        return services.operator_role_set(user_id=obj.pk, role=form.cleaned_data["role"], actor=self.request.user,
                                          reason=form.cleaned_data["reason"])


class UserActiveView(generic.ActionView):
    queryset = User.objects.all()
    action = "change"
    form = forms.ReasonForm

    def render(self, obj, form):
        self.title = "Deactivate login" if obj.is_active else "Reactivate login"
        self.submit_label = "Deactivate" if obj.is_active else "Reactivate"
        return super().render(obj, form)

    def perform(self, obj, form):
        return services.user_active_set(user_id=obj.pk, active=not obj.is_active, actor=self.request.user,
                                        reason=form.cleaned_data["reason"])

    def get_success_message(self, result):
        return "Login reactivated." if result.is_active else "Login deactivated; its sessions end now."


class UserTwoFactorResetView(generic.ActionView):
    queryset = User.objects.all()
    action = "change"
    form = forms.ReasonForm
    title = "Reset two-factor authentication"
    submit_label = "Remove authenticator"
    success_message = "Authenticator removed; the next sign-in enrols a new one."

    def perform(self, obj, form):
        services.user_two_factor_reset(username=obj.username, reason=form.cleaned_data["reason"],
                                       actor=self.request.user)
        return obj


class UserUnlockView(generic.ActionView):
    queryset = User.objects.all()
    action = "change"
    form = forms.ReasonForm
    title = "Lift login lockout"
    submit_label = "Unlock"
    success_message = "Lockout lifted."

    def perform(self, obj, form):
        services.user_lockout_clear(username=obj.username, reason=form.cleaned_data["reason"],
                                    actor=self.request.user)
        return obj
