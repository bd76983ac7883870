from django.conf import settings

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
