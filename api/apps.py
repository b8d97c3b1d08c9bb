from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from api.tokens import tokens_end_with_password
        from deviations.models import User

        # Django's own model signal, like the privacy gate's: every password change ends in
        # the user's save, whichever form, command or admin page made it (api/tokens.py).
        pre_save.connect(tokens_end_with_password, sender=User, dispatch_uid="api.tokens")
