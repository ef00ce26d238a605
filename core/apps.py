from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        # Connects the user_logged_in receiver that decides what a login still owes (2FA).
        from core import twofactor  # noqa: F401
