from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "chargeside.billing"
    label = "billing"
