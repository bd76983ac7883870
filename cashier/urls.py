from django.urls import path

from cashier import views

app_name = "cashier"


def crud(name: str, list_view, edit_view):
    return [
        path(f"{name}s/", list_view.as_view(), name=f"{name}_list"),
        path(f"{name}s/add/", edit_view.as_view(), name=f"{name}_add"),
        path(f"{name}s/<int:pk>/edit/", edit_view.as_view(), name=f"{name}_edit"),
    ]


urlpatterns = [
    path("players/<int:pk>/wallets/", views.PlayerWalletsView.as_view(), name="player_wallets"),
    path("accounts/<int:pk>/adjust/", views.AccountAdjustView.as_view(), name="account_adjust"),
    path("adjustments/", views.AdjustmentListView.as_view(), name="adjustment_list"),
    path("adjustments/<int:pk>/", views.AdjustmentView.as_view(), name="adjustment"),
    path("adjustments/<int:pk>/approve/", views.AdjustmentApproveView.as_view(), name="adjustment_approve"),
    path("adjustments/<int:pk>/reject/", views.AdjustmentRejectView.as_view(), name="adjustment_reject"),
    path("entries/", views.EntryListView.as_view(), name="entry_list"),
    path("transactions/", views.LedgerTransactionListView.as_view(), name="ledgertransaction_list"),
    path("transactions/<int:pk>/", views.LedgerTransactionView.as_view(), name="ledgertransaction"),
    path("liability/", views.LiabilityView.as_view(), name="liability"),
    path("deposits/", views.DepositListView.as_view(), name="deposit_list"),
    path("deposits/add/", views.DepositCreateView.as_view(), name="deposit_add"),
    path("deposits/<int:pk>/", views.DepositView.as_view(), name="deposit"),
    path("withdrawals/", views.WithdrawalListView.as_view(), name="withdrawal_list"),
    path("withdrawals/add/", views.WithdrawalCreateView.as_view(), name="withdrawal_add"),
    path("withdrawals/<int:pk>/", views.WithdrawalView.as_view(), name="withdrawal"),
    path("withdrawals/<int:pk>/approve/", views.WithdrawalApproveView.as_view(), name="withdrawal_approve"),
    path("withdrawals/<int:pk>/reject/", views.WithdrawalRejectView.as_view(), name="withdrawal_reject"),
    path("attention/", views.AttentionItemListView.as_view(), name="attentionitem_list"),
    path("attention/<int:pk>/", views.AttentionItemView.as_view(), name="attentionitem"),
    path("attention/<int:pk>/requery/", views.AttentionItemRequeryView.as_view(), name="attentionitem_requery"),
    path("attention/<int:pk>/resolve/", views.AttentionItemResolveView.as_view(), name="attentionitem_resolve"),
    path("aml/", views.AmlCaseListView.as_view(), name="amlcase_list"),
    path("aml/<int:pk>/", views.AmlCaseView.as_view(), name="amlcase"),
    path("aml/<int:pk>/assign/", views.AmlCaseAssignView.as_view(), name="amlcase_assign"),
    path("aml/<int:pk>/note/", views.AmlCaseNoteView.as_view(), name="amlcase_note"),
    path("aml/<int:pk>/resolve/", views.AmlCaseResolveView.as_view(), name="amlcase_resolve"),
    path("paymentgateways/<int:pk>/", views.PaymentGatewayView.as_view(), name="paymentgateway"),
    *crud("paymentgateway", views.PaymentGatewayListView, views.PaymentGatewayEditView),
    *crud("paymentmethod", views.PaymentMethodListView, views.PaymentMethodEditView),
    *crud("autoapprovalrule", views.AutoApprovalRuleListView, views.AutoApprovalRuleEditView),
    *crud("withdrawalpolicy", views.WithdrawalPolicyListView, views.WithdrawalPolicyEditView),
    *crud("adjustmentpolicy", views.AdjustmentPolicyListView, views.AdjustmentPolicyEditView),
    *crud("amlthreshold", views.AmlThresholdListView, views.AmlThresholdEditView),
    *crud("fxrate", views.FxRateListView, views.FxRateEditView),
    path("fxrates/import/", views.FxImportView.as_view(), name="fxrate_import"),
    path("reconciliations/", views.ReconciliationRunListView.as_view(), name="reconciliationrun_list"),
    path("reconciliations/add/", views.ReconciliationUploadView.as_view(), name="reconciliationrun_add"),
    path("reconciliations/<int:pk>/", views.ReconciliationRunView.as_view(), name="reconciliationrun"),
]
