"""Canonical billing records: one row per remote object, the provider's payload kept verbatim.

Tenancy: every row carries `workspace` and every selector filters on it first. Identity: a `Customer` is
our person; each gateway's own customer object is a `GatewayCustomer` linked to one Customer. Children
(charges, subscriptions, ...) point at the GatewayCustomer; they also keep `customer_remote_id` so that a
child that arrives before its customer (webhooks are unordered) is linked when the customer lands.

Money is integer minor units + upper-case ISO 4217 code. Rows are unique on (connection, remote_id).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from chargeside.connections.models import Connection
from chargeside.gateways import types as t
from chargeside.workspaces.models import Workspace


def _choices(enum) -> list[tuple[str, str]]:
    return [(member.value, member.value) for member in enum]


class Customer(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="customers")
    email = models.CharField(max_length=320, blank=True, default="")  # normalised, the primary one
    name = models.CharField(max_length=300, blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    locale = models.CharField(max_length=16, blank=True, default="")
    # The name folded for search ("Ayşe Yılmaz" → "ayse yilmaz"), so agents without Turkish keys find her.
    search_name = models.CharField(max_length=300, blank=True, default="", db_default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "email"]),
            models.Index(fields=["workspace", "name"]),
            models.Index(fields=["workspace", "search_name"], name="customer_search_name"),
        ]

    def __str__(self) -> str:
        return self.name or self.email or f"customer {self.pk}"

    def save(self, *args, **kwargs):
        from .matching import fold

        self.search_name = fold(self.name)
        super().save(*args, **kwargs)


class CustomerIdentifier(models.Model):
    """A normalised value that identifies a customer: email, phone, desk requester id, metadata key."""

    class Kind(models.TextChoices):
        EMAIL = "email"
        PHONE = "phone"
        DESK_REQUESTER = "desk_requester"  # "<desk>:<id>"
        METADATA = "metadata"  # value of the workspace's identity metadata key

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    value = models.CharField(max_length=320)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "kind", "value"], name="identifier_unique_per_customer")]
        indexes = [models.Index(fields=["workspace", "kind", "value"])]


class GatewayObject(models.Model):
    """Columns every synced row has."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="+")
    remote_id = models.CharField(max_length=128)
    raw = models.JSONField(default=dict)
    remote_created_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    @classmethod
    def unique_remote(cls, name: str):
        return models.UniqueConstraint(fields=["connection", "remote_id"], name=f"{name}_unique_remote")


class GatewayCustomer(GatewayObject):
    class Link(models.TextChoices):
        AUTO = "auto"  # matched by identifiers
        MANUAL = "manual"  # an agent merged or split it; automatic matching leaves it alone

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="gateway_customers")
    link = models.CharField(max_length=8, choices=Link.choices, default=Link.AUTO)
    email = models.CharField(max_length=320, blank=True, default="")
    name = models.CharField(max_length=300, blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    locale = models.CharField(max_length=16, blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)
    deleted = models.BooleanField(default=False)
    default_payment_method_remote_id = models.CharField(max_length=128, blank=True, default="")
    coupon_remote_id = models.CharField(max_length=128, blank=True, default="")

    class Meta:
        constraints = [GatewayObject.unique_remote("gatewaycustomer")]
        indexes = [models.Index(fields=["workspace", "email"])]


class CustomerOwned(GatewayObject):
    """A synced object that belongs to a gateway customer."""

    gateway_customer = models.ForeignKey(GatewayCustomer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    customer_remote_id = models.CharField(max_length=128, blank=True, default="")

    class Meta:
        abstract = True

    @classmethod
    def orphan_index(cls, name: str):
        return models.Index(fields=["connection", "customer_remote_id"], name=f"{name}_by_rcust")


class PaymentMethod(CustomerOwned):
    """Brand, last four digits and expiry only: a card number never reaches Chargeside."""

    type = models.CharField(max_length=32, default="card")
    brand = models.CharField(max_length=32, blank=True, default="")
    last4 = models.CharField(max_length=4, blank=True, default="")
    exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    wallet = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        constraints = [GatewayObject.unique_remote("paymentmethod")]
        indexes = [CustomerOwned.orphan_index("paymethod"), models.Index(fields=["workspace", "last4"])]


class Charge(CustomerOwned):
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=24, choices=_choices(t.ChargeStatus))
    amount_captured = models.BigIntegerField(default=0)
    amount_refunded = models.BigIntegerField(default=0)
    intent_remote_id = models.CharField(max_length=128, blank=True, default="")
    payment_method_remote_id = models.CharField(max_length=128, blank=True, default="")
    invoice_remote_id = models.CharField(max_length=128, blank=True, default="")
    description = models.TextField(blank=True, default="")
    failure_code = models.CharField(max_length=64, blank=True, default="")
    failure_message = models.TextField(blank=True, default="")
    receipt_url = models.URLField(max_length=500, blank=True, default="")

    class Meta:
        constraints = [GatewayObject.unique_remote("charge")]
        indexes = [
            CustomerOwned.orphan_index("charge"),
            models.Index(fields=["gateway_customer", "-remote_created_at"], name="charge_by_customer_recent"),
        ]

    @property
    def refundable(self) -> int:
        return max(self.amount_captured - self.amount_refunded, 0)


class Refund(GatewayObject):
    charge = models.ForeignKey(Charge, null=True, blank=True, on_delete=models.SET_NULL, related_name="refunds")
    charge_remote_id = models.CharField(max_length=128)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=_choices(t.RefundStatus))
    reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        constraints = [GatewayObject.unique_remote("refund")]
        indexes = [models.Index(fields=["connection", "charge_remote_id"])]


class Subscription(CustomerOwned):
    status = models.CharField(max_length=16, choices=_choices(t.SubscriptionStatus))
    price_remote_id = models.CharField(max_length=128, blank=True, default="")
    item_remote_id = models.CharField(max_length=128, blank=True, default="")
    plan_name = models.CharField(max_length=300, blank=True, default="")
    amount = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3, blank=True, default="")
    interval = models.CharField(max_length=8, blank=True, default="")
    interval_count = models.PositiveIntegerField(default=1)
    quantity = models.PositiveIntegerField(default=1)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    trial_end = models.DateTimeField(null=True, blank=True)
    coupon_remote_ids = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [GatewayObject.unique_remote("subscription")]
        indexes = [CustomerOwned.orphan_index("subscr"), models.Index(fields=["gateway_customer", "status"])]


class Invoice(CustomerOwned):
    status = models.CharField(max_length=16, choices=_choices(t.InvoiceStatus))
    number = models.CharField(max_length=64, blank=True, default="")
    currency = models.CharField(max_length=3)
    total = models.BigIntegerField(default=0)
    amount_due = models.BigIntegerField(default=0)
    amount_paid = models.BigIntegerField(default=0)
    amount_remaining = models.BigIntegerField(default=0)
    tax = models.BigIntegerField(default=0)
    subscription_remote_id = models.CharField(max_length=128, blank=True, default="")
    charge_remote_id = models.CharField(max_length=128, blank=True, default="")
    intent_remote_id = models.CharField(max_length=128, blank=True, default="")  # its payment, when no charge is named
    hosted_url = models.URLField(max_length=500, blank=True, default="")
    pdf_url = models.URLField(max_length=500, blank=True, default="")
    due_at = models.DateTimeField(null=True, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    lines = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [GatewayObject.unique_remote("invoice")]
        indexes = [CustomerOwned.orphan_index("invoice"), models.Index(fields=["workspace", "status"])]


class Dispute(GatewayObject):
    charge = models.ForeignKey(Charge, null=True, blank=True, on_delete=models.SET_NULL, related_name="disputes")
    charge_remote_id = models.CharField(max_length=128)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=_choices(t.DisputeStatus))
    reason = models.CharField(max_length=64, blank=True, default="")
    evidence_due_by = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [GatewayObject.unique_remote("dispute")]
        indexes = [models.Index(fields=["connection", "charge_remote_id"])]


class Coupon(GatewayObject):
    name = models.CharField(max_length=200, blank=True, default="")
    percent_off_bp = models.PositiveIntegerField(null=True, blank=True)
    amount_off = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, default="")
    duration = models.CharField(max_length=16, blank=True, default="")
    duration_in_months = models.PositiveIntegerField(null=True, blank=True)
    valid = models.BooleanField(default=True)

    class Meta:
        constraints = [GatewayObject.unique_remote("coupon")]


class PromotionCode(GatewayObject):
    code = models.CharField(max_length=100)
    coupon_remote_id = models.CharField(max_length=128)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [GatewayObject.unique_remote("promotioncode")]
        indexes = [models.Index(fields=["connection", "code"])]


class TaxId(CustomerOwned):
    type = models.CharField(max_length=32)
    value = models.CharField(max_length=64)
    country = models.CharField(max_length=2, blank=True, default="")
    verification_status = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        constraints = [GatewayObject.unique_remote("taxid")]
        indexes = [CustomerOwned.orphan_index("taxid")]


class Product(GatewayObject):
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True, default="")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [GatewayObject.unique_remote("product")]


class Price(GatewayObject):
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="prices")
    product_remote_id = models.CharField(max_length=128)
    currency = models.CharField(max_length=3)
    unit_amount = models.BigIntegerField()
    interval = models.CharField(max_length=8, blank=True, default="")
    interval_count = models.PositiveIntegerField(default=1)
    nickname = models.CharField(max_length=200, blank=True, default="")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [GatewayObject.unique_remote("price")]
