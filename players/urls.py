from django.urls import path

from players import views

app_name = "players"
urlpatterns = [
    path("", views.PlayerListView.as_view(), name="player_list"),
    path("<int:pk>/", views.PlayerView.as_view(), name="player"),
    path("agents/", views.AgentListView.as_view(), name="agent_list"),
    path("agents/<int:pk>/", views.AgentView.as_view(), name="agent"),
    path("agents/<int:pk>/edit/", views.AgentEditView.as_view(), name="agent_edit"),
    path("agents/<int:pk>/flags/", views.AgentFlagsView.as_view(), name="agent_flags"),
]
