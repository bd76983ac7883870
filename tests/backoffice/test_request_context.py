"""Client IP for audit rows and login lockout, behind zero or more proxies."""

import pytest
from django.test import RequestFactory

from backoffice.middleware import client_ip
from backoffice.models import AuditEvent
from tests.factories import OperatorFactory


@pytest.mark.parametrize(("proxies", "remote", "xff", "expected"), [
    (0, "10.0.0.5", "1.2.3.4", "10.0.0.5"),             # no proxy: the header is not trusted
    (1, "10.0.0.5", "1.2.3.4", "1.2.3.4"),
    (1, "10.0.0.5", "9.9.9.9, 1.2.3.4", "1.2.3.4"),     # the right-most entry our proxy added
    (2, "10.0.0.5", "9.9.9.9, 1.2.3.4", "9.9.9.9"),
    (1, "10.0.0.5", "unknown", "10.0.0.5"),             # malformed: ignored, never stored
    (1, "10.0.0.5", "1.2.3.4:5678", "10.0.0.5"),
    (0, "2001:0db8:0000:0000:0000:0000:0000:0001", "", "2001:db8::1"),  # canonical IPv6
    (0, "garbage", "", None),
])
def test_client_ip(settings, proxies, remote, xff, expected):
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=xff)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_lockout_and_audit_use_the_forwarded_client_ip(client, settings):
    settings.PROXY_COUNT = 1
    OperatorFactory(role="Support", username="proxied")
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": f"nobody{i}", "password": "x"}, REMOTE_ADDR="10.0.0.1",
                    HTTP_X_FORWARDED_FOR="203.0.113.7")
    # Another client behind the same proxy is not locked out by the first one's failures.
    ok = client.post("/login/", {"username": "proxied", "password": "test-pass-123456"}, REMOTE_ADDR="10.0.0.1",
                     HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert ok.status_code == 302
    client.logout()
    blocked = client.post("/login/", {"username": "proxied", "password": "test-pass-123456"},
                          REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert blocked.status_code == 429
    # every failure is audited with the real client IP, including the attempt made while locked out
    failed = AuditEvent.objects.filter(action="auth.login_failed", ip="203.0.113.7")
    assert failed.count() == settings.AXES_FAILURE_LIMIT + 1
