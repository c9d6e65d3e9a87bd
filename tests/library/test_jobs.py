"""The site's schedules, kept in the database where any worker runs them, and a
scheduled post appearing on cached pages the moment it goes live."""
import json
import time
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_q.models import Schedule

from articles.jobs import post_goes_live
from articles.services import publish_post, save_post
from library import jobs
from tests.factories import make_article


def test_the_schedules_are_written_at_migrate_once_each(db):
    # Each runs through library.jobs.run, which runs a job handed out twice once.
    assert {s.func for s in Schedule.objects.filter(name__startswith="Site: ")} == {jobs.RUN}
    schedules = {s.name: (eval(s.args)[0], s.minutes, s.repeats)
                 for s in Schedule.objects.filter(name__startswith="Site: ")}
    assert schedules == {
        "Site: send waiting mail": ("library.mail.outbox.deliver_waiting", 1, -1),
        "Site: sweep ended rate-limit windows": ("library.web.ratelimit.sweep", 10, -1),
        "Site: clear expired sessions": ("library.jobs.clear_expired_sessions", 1440, -1),
        "Site: erase the text of old mail": ("library.mail.outbox.forget_old_text", 1440, -1),
        "Site: forget finished job runs": ("library.jobs.forget_old_runs", 1440, -1),
        "Site: ping the heartbeat": ("library.health.ping_heartbeat", 1, -1),
        "Site: tell those who prayed of answers": ("prayers.followup.tell_answered", 1, -1),
        "Site: take expired requests off the wall and remind requesters": (
            "prayers.followup.tend_wall", 10, -1),
        "Site: send requesters their daily count of prayers": (
            "prayers.followup.send_digests", 60, -1),
        "Site: send the daily and weekly prayer updates": ("updates.editions.send_due", 10, -1),
        "Site: mail prayer updates a batch at a time": ("updates.editions.fan_out", 1, -1),
        "Site: send staff mailings": ("updates.mailings.fan_out", 1, -1),
        "Site: mail urgent prayer requests": ("updates.urgent.send_urgent", 10, -1),
        "Site: write read counts": ("articles.reads.flush", 1, -1),
        "Site: send year-end giving statements": ("partners.statements.send_due", 60, -1),
        "Site: send event reminders": ("events.reminders.send_due", 1, -1),
        "Site: tell of changed events": ("events.reminders.tell_changes", 5, -1),
    }
    Schedule.objects.create(name="Site: something retired", func="math.floor", minutes=5,
                            schedule_type=Schedule.MINUTES)
    jobs.install_schedules()
    assert Schedule.objects.filter(name__startswith="Site: ").count() == 17


def test_expired_sessions_are_cleared(db):
    old, new = SessionStore(), SessionStore()
    old.create()
    new.create()
    Session.objects.filter(session_key=old.session_key).update(
        expire_date=timezone.now() - timedelta(days=1))
    jobs.clear_expired_sessions()
    assert list(Session.objects.values_list("session_key", flat=True)) == [new.session_key]


def test_a_scheduled_post_is_on_cached_pages_the_moment_it_goes_live(client, running_site):
    make_article(title="Already here")
    post = make_article(title="Coming at dawn", status="draft")
    assert "Coming at dawn" not in client.get("/articles/").content.decode()  # now cached
    when = timezone.now() + timedelta(seconds=1.5)
    publish_post(article=post, at=when)
    schedule = Schedule.objects.get(name=f"Post {post.pk} goes live")
    assert schedule.func == jobs.RUN
    assert schedule.args == f"('articles.jobs.post_goes_live', {post.pk})"
    # The scheduler looks every 30 seconds: the job starts that much early and waits.
    assert schedule.next_run == when - timedelta(seconds=30)
    assert "Coming at dawn" not in client.get("/articles/").content.decode()

    assert post_goes_live(post.pk) is True  # as the worker runs it
    assert timezone.now() >= when
    assert "Coming at dawn" in client.get("/articles/").content.decode()


def test_a_moved_or_withdrawn_post_moves_or_drops_its_job(db):
    post = make_article(status="draft")
    publish_post(article=post, at=timezone.now() + timedelta(hours=2))
    later = timezone.now() + timedelta(days=1)
    post.published_at = later
    save_post(article=post)
    [schedule] = Schedule.objects.filter(name=f"Post {post.pk} goes live")
    assert schedule.next_run == later - timedelta(seconds=30)
    started = time.monotonic()
    assert post_goes_live(post.pk) is False  # its moment is far off: no waiting
    assert time.monotonic() - started < 1
    post.status = "draft"
    save_post(article=post)
    assert not Schedule.objects.filter(name=f"Post {post.pk} goes live").exists()
    assert post_goes_live(post.pk) is False


def test_a_task_runs_once_however_often_it_is_handed_out_and_again_after_it_failed(db):
    from library.models import JobRun

    def handed_out(task_id, func="tests.library.test_jobs.note"):
        jobs.note_task(None, task={"id": task_id})
        return jobs.run(func, len(CALLS))

    CALLS.clear()
    handed_out("task-1")
    handed_out("task-1")  # handed out again after it ended: nothing more
    assert CALLS == [0]
    # One whose run failed lets go: the queue's next hand-out runs it.
    for _ in range(2):
        with pytest.raises(RuntimeError):
            handed_out("task-2", "tests.library.test_jobs.fail")
    assert JobRun.objects.get(task="task-2").finished_at is None
    assert CALLS == [0, "failed", "failed"]
    del CALLS[1:]
    # One held by a worker that died is taken over once its hold has run out.
    JobRun.objects.create(task="task-3", func="x", held_by="dead",
                          held_until=timezone.now() + timedelta(seconds=60))
    # While it is held, a copy is not acknowledged: the queue hands it out again.
    with pytest.raises(jobs.StillRunning):
        handed_out("task-3")
    assert CALLS == [0]
    JobRun.objects.filter(task="task-3").update(held_until=timezone.now())
    handed_out("task-3")
    assert CALLS == [0, 1] and JobRun.objects.get(task="task-3").runs == 2
    # Called directly (a command, a test), a job just runs.
    jobs.run("tests.library.test_jobs.note", "direct")
    assert CALLS[-1] == "direct" and JobRun.objects.count() == 3


def test_the_retry_must_outlast_a_jobs_hold(settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 120, "retry": 125}
    [error] = jobs.check_timing()
    assert error.id == "library.E002" and "JOBS_RETRY (125 s)" in error.msg
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "retry": 180}
    assert jobs.check_timing() == []


CALLS = []


def note(value) -> None:
    CALLS.append(value)


def fail(value) -> None:
    CALLS.append("failed")
    raise RuntimeError("the mail server is away")


def test_each_job_run_by_the_worker_writes_one_line(db, caplog):
    from library.web.logs import JsonFormatter

    def handed_out(task_id, func):
        jobs.note_task(None, task={"id": task_id})
        return jobs.run(func, 0)

    CALLS.clear()
    with caplog.at_level("INFO", logger="library.jobs"):
        handed_out("task-log-1", "tests.library.test_jobs.note")
        handed_out("task-log-1", "tests.library.test_jobs.note")
        with pytest.raises(RuntimeError):
            handed_out("task-log-2", "tests.library.test_jobs.fail")

    lines = [json.loads(JsonFormatter().format(record)) for record in caplog.records
             if record.name == "library.jobs"]
    assert [(line["job"], line["task"], line["status"]) for line in lines] == [
        ("tests.library.test_jobs.note", "task-log-1", "done"),
        ("tests.library.test_jobs.note", "task-log-1", "already done"),
        ("tests.library.test_jobs.fail", "task-log-2", "failed"),
    ]
    assert all(isinstance(line["duration_ms"], float) for line in lines)
    assert lines[-1]["level"] == "WARNING"
