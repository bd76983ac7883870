from django.contrib.auth import views as auth_views
from django.urls import include, path

from backoffice.views import audit, auth, dashboard, health

backoffice_patterns = (
    [
        path("audit/", audit.AuditEventListView.as_view(), name="auditevent_list"),
        path("audit/<int:pk>/", audit.AuditEventView.as_view(), name="auditevent"),
    ],
    "backoffice",
)

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", auth.two_factor, name="two_factor"),
    path("healthz", health.healthz, name="healthz"),
    path("system/", include(backoffice_patterns)),
    path("players/", include("players.urls")),
]
