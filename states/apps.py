from django.apps import AppConfig


class StatesConfig(AppConfig):
    name = "states"
    verbose_name = "States"

    def ready(self):
        from comments import targets

        from .models import State

        # Every state page carries a conversation anyone may read.
        targets.register(State, visible=lambda state, user: True)
