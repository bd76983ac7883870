"""Payment gateway webhooks: ``POST /api/payments/v1/<gateway>/webhook`` (signed, no login, no CSRF)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from cashier.services.webhooks import webhook_handle

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024


@csrf_exempt
@transaction.non_atomic_requests  # webhook_handle owns its transaction
def webhook(request, gateway_code: str):
    if request.method != "POST":
        return JsonResponse({"status": "ERROR", "code": "METHOD_NOT_ALLOWED", "message": "POST only."}, status=405)
    raw = request.body
    if len(raw) > MAX_BODY:
        return JsonResponse({"status": "ERROR", "code": "WRONG_SYNTAX", "message": "Body too large."}, status=400)
    try:
        status, body = webhook_handle(gateway_code=gateway_code, raw=raw,
                                      timestamp=request.headers.get("X-Payment-Timestamp", ""),
                                      signature=request.headers.get("X-Payment-Signature", ""))
    except Exception:  # a transient failure: the gateway retries the same event
        log.exception("payment webhook failed")
        status, body = 500, {"status": "ERROR", "code": "INTERNAL_RETRY", "message": "Retry later."}
    return JsonResponse(body, status=status)
