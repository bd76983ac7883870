"""The machine APIs' URLs: signed integration endpoints, not back-office pages (unnamed on purpose).

``backoffice.urls`` includes these patterns as they are; the API lane of the WSGI entry point
(``backoffice.handlers.ApiWSGIHandler``) resolves against this short list alone, so a wallet call is not
matched against every page's pattern first. tests/games and tests/cashier cover the endpoints.
"""

from django.urls import include, path

# Each app declares its own endpoints; the project names the apps here as it does in INSTALLED_APPS.
urlpatterns = [
    path("api/", include("games.api_urls")),
    path("api/", include("cashier.api_urls")),
]
