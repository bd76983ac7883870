from django.urls import path

from players import views

app_name = "players"
urlpatterns = [
    path("", views.PlayerListView.as_view(), name="player_list"),
    path("add/", views.PlayerAddView.as_view(), name="player_add"),
    path("<int:pk>/", views.PlayerView.as_view(), name="player"),
    path("<int:pk>/wallets/", views.PlayerWalletsView.as_view(), name="player_wallets"),
    path("<int:pk>/limits/", views.PlayerLimitsView.as_view(), name="player_limits"),
    path("<int:pk>/kyc/", views.PlayerKycView.as_view(), name="player_kyc"),
    path("<int:pk>/notes/", views.PlayerNotesView.as_view(), name="player_notes"),
    path("<int:pk>/timeline/", views.PlayerTimelineView.as_view(), name="player_timeline"),
    path("<int:pk>/edit/", views.PlayerEditView.as_view(), name="player_edit"),
    path("<int:pk>/status/", views.PlayerStatusView.as_view(), name="player_status"),
    path("<int:pk>/kyc/change/", views.PlayerKycSetView.as_view(), name="player_kyc_set"),
    path("<int:pk>/limits/set/", views.PlayerLimitSetView.as_view(), name="player_limit_set"),
    path("<int:pk>/limits/confirm/", views.PlayerLimitConfirmView.as_view(), name="player_limit_confirm"),
    path("<int:pk>/limits/exclusion/", views.PlayerExclusionView.as_view(), name="player_exclusion"),
    path("<int:pk>/limits/reality-check/", views.PlayerRealityCheckView.as_view(), name="player_reality_check"),
    path("<int:pk>/limits/credit/", views.PlayerCreditView.as_view(), name="player_credit"),
    path("<int:pk>/move/", views.PlayerMoveView.as_view(), name="player_move"),
    path("<int:pk>/tags/", views.PlayerTagsView.as_view(), name="player_tags"),
    path("<int:pk>/notes/add/", views.PlayerNoteAddView.as_view(), name="player_note_add"),
    path("follow-ups/", views.FollowUpListView.as_view(), name="followup_list"),
    path("notes/<int:pk>/done/", views.NoteDoneView.as_view(), name="note_done"),
    path("segments/", views.SegmentListView.as_view(), name="segment_list"),
    path("segments/add/", views.SegmentEditView.as_view(), name="segment_add"),
    path("segments/<int:pk>/", views.SegmentView.as_view(), name="segment"),
    path("segments/<int:pk>/edit/", views.SegmentEditView.as_view(), name="segment_edit"),
    path("agents/", views.AgentListView.as_view(), name="agent_list"),
    path("agents/<int:pk>/", views.AgentView.as_view(), name="agent"),
    path("agents/<int:pk>/edit/", views.AgentEditView.as_view(), name="agent_edit"),
    path("agents/<int:pk>/flags/", views.AgentFlagsView.as_view(), name="agent_flags"),
    path("agents/<int:pk>/limits/", views.AgentLimitsView.as_view(), name="agent_limits"),
    path("agents/<int:pk>/move/", views.AgentMoveView.as_view(), name="agent_move"),
]
