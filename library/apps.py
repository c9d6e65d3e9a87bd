from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LibraryConfig(AppConfig):
    """The shared library: an app for its own tables (the outbox, suppressed
    addresses, rate-limit windows), its template tags and the schedules it keeps."""

    name = "library"
    verbose_name = "Mail"  # what staff find here in admin: the outbox, suppressed addresses

    def ready(self):
        from anymail.signals import tracking
        from django.core.checks import register
        from django_q.signals import pre_execute

        from library import jobs
        from library.mail import outbox

        register(outbox.check_lease)
        register(jobs.check_timing)
        pre_execute.connect(jobs.note_task, dispatch_uid="library.note_task")
        tracking.connect(outbox.on_provider_event, dispatch_uid="library.provider_events")

        jobs.every("Site: send waiting mail", "library.mail.outbox.deliver_waiting", minutes=1)
        jobs.every("Site: sweep ended rate-limit windows", "library.web.ratelimit.sweep",
                   minutes=10)
        jobs.every("Site: clear expired sessions", "library.jobs.clear_expired_sessions",
                   minutes=24 * 60)
        jobs.every("Site: erase the text of old mail", "library.mail.outbox.forget_old_text",
                   minutes=24 * 60)
        jobs.every("Site: forget finished job runs", "library.jobs.forget_old_runs",
                   minutes=24 * 60)
        jobs.every("Site: ping the heartbeat", "library.health.ping_heartbeat", minutes=1)
        post_migrate.connect(jobs.install_schedules, sender=self,
                             dispatch_uid="library.install_schedules")
