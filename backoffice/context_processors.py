from django.conf import settings
from django.contrib import messages
from django.urls import reverse
from django.utils.html import format_html

from backoffice.choices import ExportStatus
from backoffice.export import OPEN, PENDING_SESSION_KEY
from backoffice.models import ExportJob
from backoffice.navigation import menu_for
from backoffice.querysets import agent_for_user
from backoffice.roles import user_role_label


def shell(request):
    """What the page shell needs: the menu, the user's role, whether the agent layout applies.

    Computed once per request: django-tables2's {% render_table %} renders with the request again, which
    runs every context processor a second time.
    """
    cached = getattr(request, "_shell_context", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        context = {"operator_name": settings.OPERATOR_NAME}
    else:
        context = {
            "operator_name": settings.OPERATOR_NAME,
            "menu": menu_for(user, request.path),
            "role_label": user_role_label(user),
            "agent_node": agent_for_user(user),
        }
    request._shell_context = context
    return context


def export_notices(request):
    """Tells a user, on its next page, that an export it queued is ready (or failed), once per job.

    Only users whose session says an export is in progress pay for the query. The notices are messages, so
    they show wherever the page shows messages.
    """
    session = getattr(request, "session", None)
    if getattr(request, "_export_notices_done", False) or session is None or not session.get(PENDING_SESSION_KEY):
        return {}
    request._export_notices_done = True
    user = request.user
    if not user.is_authenticated:
        return {}
    mine = ExportJob.objects.restrict(user).filter(user_id=user.pk)
    finished = list(mine.filter(notified=False, status__in=[ExportStatus.DONE, ExportStatus.FAILED]))
    for job in finished:
        if job.status == ExportStatus.DONE:
            messages.success(request, format_html('Your export “{}” is ready: <a href="{}">download it ({} rows)</a>.',
                                                  job.title, reverse("backoffice:exportjob_download", args=[job.pk]),
                                                  f"{job.rows_done:,}"))
        else:
            messages.error(request, format_html('Your export “{}” failed: {} <a href="{}">Details</a>',
                                                job.title, job.error, job.get_absolute_url()))
    if finished:
        mine.filter(pk__in=[j.pk for j in finished]).update(notified=True)
    if not mine.filter(status__in=OPEN).exists():
        del session[PENDING_SESSION_KEY]
    return {}
