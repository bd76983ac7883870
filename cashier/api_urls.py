"""The cashier's machine API: payment gateways' webhooks (under ``api/``, included by ``backoffice.api_urls``)."""

from django.urls import path

from cashier import api

urlpatterns = [
    path("payments/v1/<slug:gateway_code>/webhook", api.webhook),
]
