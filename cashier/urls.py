from django.urls import path

from cashier import views

app_name = "cashier"

urlpatterns = [
    path("players/<int:pk>/wallets/", views.PlayerWalletsView.as_view(), name="player_wallets"),
    path("accounts/<int:pk>/adjust/", views.AccountAdjustView.as_view(), name="account_adjust"),
    path("entries/", views.EntryListView.as_view(), name="entry_list"),
    path("transactions/", views.LedgerTransactionListView.as_view(), name="ledgertransaction_list"),
    path("transactions/<int:pk>/", views.LedgerTransactionView.as_view(), name="ledgertransaction"),
    path("liability/", views.LiabilityView.as_view(), name="liability"),
]
