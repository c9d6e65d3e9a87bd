"""Each job runs once, though the queue hands some out twice: a job waits in a
worker's own queue behind others, its `retry` runs out meanwhile, and the queue
hands it out again while it runs or after it ended."""
from django_q.tasks import async_task

from library import jobs
from library.models import JobRun
from tests.jobs.conftest import wait_until


def test_a_job_handed_out_again_while_it_waits_or_runs_is_run_once(workers, tmp_path):
    """About 15 s: ten jobs of 2.5 s on two workers, so that the later ones wait in
    the workers' queue longer than `retry` and are handed out a second time; the
    only way to see the queue do what it does on a busy day."""
    notes = tmp_path / "runs.txt"
    names = [f"job{n}" for n in range(10)]
    for name in names:
        async_task(jobs.RUN, "tests.jobs.sample.note_run", str(notes), name, 2.5,
                   task_name=name)
    worker = workers(JOBS_WORKERS="2", JOBS_TIMEOUT="3", JOBS_RETRY="9")
    assert wait_until(lambda: notes.exists() and notes.read_text().count("end ") >= 10, 60), (
        worker.output())
    # The queue handed some out again; each ran once all the same.
    assert wait_until(lambda: "was handed out again" in worker.output(), 15), worker.output()
    starts = [line.split()[1] for line in notes.read_text().splitlines()
              if line.startswith("start ")]
    assert sorted(starts) == sorted(names)
    # A run is marked finished after its job's last line, which wrote "end".
    assert wait_until(lambda: JobRun.objects.filter(
        func="tests.jobs.sample.note_run", finished_at__isnull=False).count() == 10, 10)
