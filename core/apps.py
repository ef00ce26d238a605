from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        # Connect the user_logged_in receivers: what a login still owes (2FA), the session's stamp.
        from core import sessions, twofactor  # noqa: F401
