from django.contrib.auth import views as auth_views
from django.urls import include, path

from backoffice import api_urls
from backoffice.views import audit, auth, exports, health, users

backoffice_patterns = (
    [
        path("audit/", audit.AuditEventListView.as_view(), name="auditevent_list"),
        path("audit/<int:pk>/", audit.AuditEventView.as_view(), name="auditevent"),
        path("logins/", users.UserListView.as_view(), name="user_list"),
        path("logins/add/", users.UserAddView.as_view(), name="user_add"),
        path("logins/<int:pk>/", users.UserView.as_view(), name="user"),
        path("logins/<int:pk>/role/", users.UserRoleView.as_view(), name="user_role"),
        path("logins/<int:pk>/active/", users.UserActiveView.as_view(), name="user_active"),
        path("logins/<int:pk>/two-factor-reset/", users.UserTwoFactorResetView.as_view(), name="user_2fa_reset"),
        path("logins/<int:pk>/unlock/", users.UserUnlockView.as_view(), name="user_unlock"),
        path("exports/", exports.ExportJobListView.as_view(), name="exportjob_list"),
        path("exports/<int:pk>/", exports.ExportJobView.as_view(), name="exportjob"),
        path("exports/<int:pk>/download/", exports.ExportJobDownloadView.as_view(), name="exportjob_download"),
    ],
    "backoffice",
)

urlpatterns = [
    path("", include("reports.urls")),  # the dashboard
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", auth.two_factor, name="two_factor"),
    path("healthz", health.healthz, name="healthz"),
    path("system/", include(backoffice_patterns)),
    path("players/", include("players.urls")),
    path("cashier/", include("cashier.urls")),
    path("games/", include("games.urls")),
    *api_urls.urlpatterns,  # the signed integration APIs (backoffice/api_urls.py)
]
