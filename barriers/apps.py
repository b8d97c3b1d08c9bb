from django.apps import AppConfig


class BarriersConfig(AppConfig):
    name = "barriers"

    def ready(self) -> None:
        from barriers import runners  # noqa: F401 - registers the digest and reminder jobs
