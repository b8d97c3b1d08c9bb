from django.apps import AppConfig


class KnutpunktConfig(AppConfig):
    name = "knutpunkt"
