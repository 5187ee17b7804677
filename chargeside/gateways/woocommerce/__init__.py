"""WooCommerce (REST API wc/v3 through the official `woocommerce` 3.0.0 SDK; WooCommerce Subscriptions optional)."""
