"""The machine APIs' URLs: signed integration endpoints, not back-office pages (unnamed on purpose).

``backoffice.urls`` includes these patterns as they are; the API lane of the WSGI entry point
(``backoffice.handlers.ApiWSGIHandler``) resolves against this short list alone, so a wallet call is not
matched against every page's pattern first. tests/games and tests/cashier cover the endpoints.
"""

from django.urls import path

from cashier import api as cashier_api
from games import api as games_api

urlpatterns = [
    path("api/wallet/v1/openapi.json", games_api.openapi),
    path("api/wallet/v1/<str:provider_code>/<str:operation>", games_api.wallet),
    path("api/lobby/v1/<str:jurisdiction>", games_api.lobby),
    path("api/payments/v1/<slug:gateway_code>/webhook", cashier_api.webhook),
]
