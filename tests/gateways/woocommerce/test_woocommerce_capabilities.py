"""What a WooCommerce connection can do depends on its settings: subscriptions need the paid extension."""

from chargeside.billing.view_model import _capabilities
from chargeside.gateways.types import Capability
from chargeside.gateways.woocommerce.adapter import WooCommerceAdapter


def test_the_panel_offers_subscription_actions_only_with_the_extension():
    with_extension = _capabilities("woocommerce", {"subscriptions_extension": "yes"})
    without = _capabilities("woocommerce", {"subscriptions_extension": "no"})
    assert {Capability.SUBSCRIPTION_CANCEL, Capability.SUBSCRIPTION_CANCEL_AT_PERIOD_END} <= with_extension
    assert Capability.SUBSCRIPTION_CANCEL not in without and Capability.REFUND in without
    adapter = WooCommerceAdapter(settings={"subscriptions_extension": "yes"}, credentials={})
    assert adapter.capabilities == with_extension  # the same answer as the adapter the actions run through
