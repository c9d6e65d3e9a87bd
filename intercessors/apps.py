from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IntercessorsConfig(AppConfig):
    name = "intercessors"
    verbose_name = "Site"

    def ready(self):
        from django.core.checks import register

        from . import jobs, outbox

        register(outbox.check_lease)
        from anymail.signals import tracking

        tracking.connect(outbox.on_provider_event, dispatch_uid="intercessors.provider_events")

        jobs.every("Site: send waiting mail", "intercessors.outbox.deliver_waiting", minutes=1)
        jobs.every("Site: sweep ended rate-limit windows", "intercessors.ratelimit.sweep",
                   minutes=10)
        jobs.every("Site: clear expired sessions", "intercessors.jobs.clear_expired_sessions",
                   minutes=24 * 60)
        jobs.every("Site: erase the text of old mail", "intercessors.outbox.forget_old_text",
                   minutes=24 * 60)
        post_migrate.connect(jobs.install_schedules, sender=self,
                             dispatch_uid="intercessors.install_schedules")
