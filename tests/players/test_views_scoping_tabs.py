"""Player tabs read their rows through restrict(): viewing a player is not viewing its KYC history or notes."""

import pytest

from players.models import KycEvent, Note
from tests.factories import OperatorFactory, PlayerFactory


@pytest.mark.django_db
def test_tabs_show_child_rows_only_to_roles_that_may_view_them(login):
    player = PlayerFactory()
    support = OperatorFactory(role="Support")
    marketing = OperatorFactory(role="Marketing")  # may view players, not their KYC history or notes
    KycEvent.objects.create(player=player, from_status="unverified", to_status="pending", reason="docs sent")
    Note.objects.create(player=player, author=support, text="called about limits")
    for role_user, sees in ((support, True), (marketing, False)):
        client = login(role_user)
        kyc = client.get(f"/players/{player.pk}/kyc/").content.decode()
        notes = client.get(f"/players/{player.pk}/notes/").content.decode()
        assert ("docs sent" in kyc) is sees
        assert ("called about limits" in notes) is sees
