"""The production URLconf plus `/bench/bare/<customer id>/`: the baseline the panel is compared with.

The baseline is what a developer would write without Chargeside: fetch the customer and its 50 newest
charges through the ORM and return them with `JsonResponse`. It runs behind the same middleware stack as
the panel, in the same gunicorn, so the ratio of the two measures only the panel's own work.
"""

from django.http import Http404, JsonResponse
from django.urls import path

from chargeside.billing.models import Charge, Customer
from chargeside.urls import urlpatterns as production_urlpatterns


def bare_customer(request, customer_id: int):
    try:
        customer = Customer.objects.only("email", "name").get(pk=customer_id)
    except Customer.DoesNotExist:
        raise Http404("no such customer") from None
    # Only the columns the answer shows (the panel never reads `raw` either), newest first.
    charges = (
        Charge.objects.filter(gateway_customer__customer_id=customer.pk)
        .only("remote_id", "amount", "currency", "status", "amount_refunded", "remote_created_at")
        .order_by("-remote_created_at")[:50]
    )
    return JsonResponse(
        {
            "customer": {"id": customer.pk, "email": customer.email, "name": customer.name},
            "charges": [
                {
                    "id": charge.remote_id,
                    "amount": charge.amount,
                    "currency": charge.currency,
                    "status": charge.status,
                    "refunded": charge.amount_refunded,
                    "created": charge.remote_created_at.isoformat() if charge.remote_created_at else None,
                }
                for charge in charges
            ],
        }
    )


urlpatterns = [*production_urlpatterns, path("bench/bare/<int:customer_id>/", bare_customer, name="bench-bare")]
