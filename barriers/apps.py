from django.apps import AppConfig


class BarriersConfig(AppConfig):
    name = "barriers"
