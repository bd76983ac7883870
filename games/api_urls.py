"""The games app's machine APIs (under ``api/``, included by ``backoffice.api_urls``; unnamed on purpose)."""

from django.urls import path

from games import api

urlpatterns = [
    path("wallet/v1/openapi.json", api.openapi),
    path("wallet/v1/<str:provider_code>/<str:operation>", api.wallet),
    path("lobby/v1/<str:jurisdiction>", api.lobby),
]
