"""PayPal gateway (paypal-server-sdk 2.4.0, REST v1/v2). See adapter.py for what maps to what."""
