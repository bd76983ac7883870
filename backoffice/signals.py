"""Cross-cutting plumbing only: login auditing and keeping role groups in step with new permissions."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from backoffice.roles import roles_sync
from backoffice.services import audit_record


@receiver(user_logged_in, dispatch_uid="audit.login")
def audit_login(sender, request, user, **kwargs):
    audit_record(actor=user, action="auth.login", target=user)


@receiver(user_logged_out, dispatch_uid="audit.logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="auth.logout", target=user)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_record(action="auth.login_failed", actor_label=username or "unknown",
                 object_type="backoffice.user", after={"username": username})


def sync_roles_after_migrate(sender, **kwargs):
    if sender.name != "backoffice":
        return

    for config in apps.get_app_configs():  # permissions are created per app; make sure all exist first
        create_permissions(config, verbosity=0, using=kwargs.get("using", "default"))

    roles_sync()
