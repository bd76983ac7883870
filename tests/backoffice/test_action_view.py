"""ActionView's own transaction: a refused action leaves nothing behind even without ATOMIC_REQUESTS."""

import pytest
from django.db import connection
from django.test import RequestFactory

from backoffice.exceptions import ApplicationError
from backoffice.models import AuditEvent
from players.models import Note
from players.views import PlayerNoteAddView
from tests.factories import OperatorFactory, PlayerFactory


class NoteThenRefuseView(PlayerNoteAddView):
    """The real note action, whose service writes (a note and its audit row), then a refusal."""

    def perform(self, obj, form):
        super().perform(obj, form)
        raise ApplicationError("Refused after writing.")


@pytest.mark.django_db(transaction=True)  # no test transaction around the view: commits are real
def test_a_refused_action_writes_nothing_without_atomic_requests(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", False)
    admin = OperatorFactory(role="Administrator")
    player = PlayerFactory()
    audit_rows = AuditEvent.objects.count()
    request = RequestFactory().post("/", {"text": "half-done", "channel": "note", "visibility": "all"})
    request.user = admin
    assert connection.get_autocommit()  # the view runs outside any atomic block, as it would in production
    response = NoteThenRefuseView.as_view()(request, pk=player.pk)
    assert response.status_code == 200
    assert response.context_data["form"].non_field_errors() == ["Refused after writing."]
    assert not Note.objects.filter(player=player).exists()
    assert AuditEvent.objects.count() == audit_rows


@pytest.mark.django_db(transaction=True)
def test_a_successful_action_commits_without_atomic_requests(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", False)
    from django.contrib.messages.storage.fallback import FallbackStorage

    player = PlayerFactory()
    request = RequestFactory().post("/", {"text": "kept", "channel": "note", "visibility": "all"})
    request.user = OperatorFactory(role="Administrator")
    request.session = {}
    request._messages = FallbackStorage(request)
    response = PlayerNoteAddView.as_view()(request, pk=player.pk)
    assert response.status_code == 302 and response["Location"].endswith(f"/players/{player.pk}/notes/")
    assert Note.objects.get(player=player).text == "kept"
