"""No link or button a page shows answers 403 to the user who sees it.

Every page of the content test's walk (``test_content_permissions.pages``: every URL pattern, as every
operator role and as agents) is rendered, and every same-origin link on it (``href`` and ``hx-get``) is
followed as the same user: none may answer 403 ("Your role does not allow this page"). A page offers
what its reader may do, nothing else (``backoffice.links``). One link per URL pattern is followed per
user (access is decided per model), which keeps the crawl to a few hundred requests per user.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from backoffice.roles import ROLES
from players.services import note_create
from tests.backoffice.test_content_permissions import AGENTS, _client, pages, world  # noqa: F401

LINK = re.compile(r'\s(?:href|hx-get)="([^"]*)"')
SKIP = ("/static/", "/logout/", "/api/", "#", "mailto:", "javascript:")


def _pattern(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def links_answering_403(world, user, *, agent: bool) -> list[str]:  # noqa: F811
    # An open follow-up, so that the follow-up lists and the notes tab show their "Mark done" buttons.
    admin = world["operators"]["Administrator"]
    note_create(player=world["player_a"], text="Call back", actor=admin, follow_up_on=date.today(), assignee=admin)
    client = _client(user)
    followed: dict[str, tuple[str, int]] = {}
    failures = []
    for name, url in pages(world, agent=agent):
        if url.endswith("#htmx") or "export=" in url:
            continue
        page = client.get(url)
        if page.status_code != 200 or page.streaming or "html" not in page.get("Content-Type", ""):
            continue
        for href in LINK.findall(page.content.decode("utf-8", "replace")):
            href = unescape(href)
            if not href or href.startswith(SKIP) or "export=" in href:
                continue
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc:
                continue
            pattern = _pattern(parts.path)
            if pattern is None or pattern in followed:
                continue
            status = client.get(target).status_code
            followed[pattern] = (target, status)
            if status == 403:
                failures.append(f"{name} {url} links to {target} ({pattern}): 403")
    assert followed, "no link followed: the crawl found nothing"
    return failures


@pytest.mark.parametrize("role", list(ROLES))
def test_operator_roles_see_no_link_that_answers_403(world, db, role):  # noqa: F811
    failures = links_answering_403(world, world["operators"][role], agent=False)
    assert not failures, f"{len(failures)} link(s) answer 403:\n" + "\n".join(failures)


@pytest.mark.parametrize("who", AGENTS)
def test_agents_see_no_link_that_answers_403(world, db, who):  # noqa: F811
    failures = links_answering_403(world, world[who].user, agent=True)
    assert not failures, f"{len(failures)} link(s) answer 403:\n" + "\n".join(failures)
