from django.apps import AppConfig


class LeadersConfig(AppConfig):
    name = "leaders"
    verbose_name = "Leaders"

    def ready(self):
        from states import sections

        from .views import state_leaders

        sections.register(template="leaders/includes/_state_leaders.html", data=state_leaders)
