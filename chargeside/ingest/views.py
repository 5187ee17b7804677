"""The webhook endpoint: `POST /hooks/<webhook token>/`, one per gateway connection.

Thin on purpose: find the connection by its unguessable token, read at most the size limit, hand the
bytes to `receive`. The token only selects the connection; authenticity comes from the provider's
signature, checked in `receive`.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .receive import connection_for_token, max_body_bytes, receive, reject_oversized


@csrf_exempt
@require_POST
def webhook(request, token: str):
    connection = connection_for_token(token)
    if connection is None:
        return JsonResponse({"error": "unknown webhook address"}, status=404)

    limit = max_body_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        receipt = reject_oversized(connection, headers=request.headers, size=declared)
        return JsonResponse(receipt.body, status=receipt.http_status)
    # Read the stream ourselves (not request.body) so a body without Content-Length is bounded too.
    body = request.read(limit + 1)
    if len(body) > limit:
        receipt = reject_oversized(connection, headers=request.headers, size=None)
        return JsonResponse(receipt.body, status=receipt.http_status)

    receipt = receive(connection, headers=request.headers, body=body)
    return JsonResponse(receipt.body, status=receipt.http_status)
