from django.urls import path

from games import views

app_name = "games"
urlpatterns = [
    path("providers/", views.ProviderListView.as_view(), name="provider_list"),
    path("providers/add/", views.ProviderAddView.as_view(), name="provider_add"),
    path("providers/<int:pk>/", views.ProviderView.as_view(), name="provider"),
    path("providers/<int:pk>/edit/", views.ProviderEditView.as_view(), name="provider_edit"),
    path("providers/<int:pk>/rotate/", views.ProviderRotateView.as_view(), name="provider_rotate"),
    path("games/", views.GameListView.as_view(), name="game_list"),
    path("games/add/", views.GameAddView.as_view(), name="game_add"),
    path("games/bulk/", views.GameBulkView.as_view(), name="game_bulk"),
    path("games/import/", views.GameImportView.as_view(), name="game_import"),
    path("games/<int:pk>/", views.GameView.as_view(), name="game"),
    path("games/<int:pk>/edit/", views.GameEditView.as_view(), name="game_edit"),
    path("games/<int:pk>/disable/", views.GameDisableView.as_view(), name="game_disable"),
    path("games/<int:pk>/enable/", views.GameEnableView.as_view(), name="game_enable"),
    path("jurisdictions/", views.JurisdictionListView.as_view(), name="jurisdiction_list"),
    path("jurisdictions/add/", views.JurisdictionEditView.as_view(), name="jurisdiction_add"),
    path("jurisdictions/<int:pk>/", views.JurisdictionView.as_view(), name="jurisdiction"),
    path("jurisdictions/<int:pk>/edit/", views.JurisdictionEditView.as_view(), name="jurisdiction_edit"),
    path("lobby/", views.LobbyCategoryListView.as_view(), name="lobbycategory_list"),
    path("lobby/add/", views.LobbyCategoryEditView.as_view(), name="lobbycategory_add"),
    path("lobby/<int:pk>/", views.LobbyCategoryView.as_view(), name="lobbycategory"),
    path("lobby/<int:pk>/edit/", views.LobbyCategoryEditView.as_view(), name="lobbycategory_edit"),
    path("lobby/<int:pk>/place/", views.LobbyPlaceView.as_view(), name="lobbycategory_place"),
    path("lobby/<int:pk>/order/", views.LobbyOrderView.as_view(), name="lobbycategory_order"),
    path("rounds/", views.RoundListView.as_view(), name="round_list"),
    path("rounds/<int:pk>/", views.RoundView.as_view(), name="round"),
]
