"""The January run of year-end giving statements at scale: 10,000 partners who gave
last year (three gifts each, one of them refunded), and the time the run takes to
build every statement and record its mail in the outbox (`partners.statements.
send_statements`, what the January schedule calls). Then the run again, which must
record nothing. The bench's partners are removed afterwards.

Run by tests/perf/bench.py with the benchmark's environment, or alone:
`python -m tests.perf.statements_bench [count]` with DATABASE_URL set, which migrates
that database and prints its rows."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COUNT = 10_000
GOAL_SECONDS = 120

RUN = """
import json, sys, time
from datetime import datetime
from django.utils import timezone
from library.models import OutboxMessage
from partners import statements
from partners.models import Gift, Partner, YearStatement

DOMAIN = "@givers.bench"
count = int(sys.argv[1])
year = timezone.localdate().year - 1


def clean():
    OutboxMessage.objects.filter(to__endswith=DOMAIN).delete()
    YearStatement.objects.filter(partner__email__endswith=DOMAIN).delete()
    Gift.objects.filter(partner__email__endswith=DOMAIN).delete()
    Partner.objects.filter(email__endswith=DOMAIN).delete()


clean()
zone = timezone.get_current_timezone()
Partner.objects.bulk_create(
    [Partner(email=f"giver{n}{DOMAIN}", first_name=f"Giver{n}", last_name="Bench",
             subscription_status="active", monthly_amount_cents=2500) for n in range(count)],
    batch_size=2000)
ids = list(Partner.objects.filter(email__endswith=DOMAIN).values_list("pk", flat=True))
gifts = []
for pk in ids:
    gifts += [
        Gift(partner_id=pk, kind="monthly", amount_cents=2500,
             given_at=timezone.make_aware(datetime(year, 3, 1, 10), zone)),
        Gift(partner_id=pk, kind="monthly", amount_cents=2500,
             given_at=timezone.make_aware(datetime(year, 4, 1, 10), zone)),
        Gift(partner_id=pk, kind="one_time", amount_cents=4000, refunded_cents=4000,
             status="refunded", given_at=timezone.make_aware(datetime(year, 12, 24, 10), zone)),
    ]
Gift.objects.bulk_create(gifts, batch_size=5000)

started = time.monotonic()
recorded = statements.send_statements(year)
seconds = time.monotonic() - started
started = time.monotonic()
again = statements.send_statements(year)
again_seconds = time.monotonic() - started
rows = OutboxMessage.objects.filter(to__endswith=DOMAIN, kind=statements.MAIL).count()
sample = OutboxMessage.objects.filter(to__endswith=DOMAIN).order_by("pk").first()
right = bool(sample and "Total for" in sample.body and "$50" in sample.subject)
clean()
print(json.dumps({"count": count, "recorded": recorded, "seconds": seconds, "again": again,
                  "again_seconds": again_seconds, "rows": rows, "right_total": right}))
"""


def measure(env: dict, count: int = COUNT) -> dict:
    out = subprocess.run(
        [sys.executable, "-c",
         f"import django, sys; django.setup(); sys.argv=['', {str(count)!r}]; exec({RUN!r})"],
        cwd=ROOT, env=env, text=True, capture_output=True, timeout=1800)
    if out.returncode:
        raise SystemExit(f"the statements bench failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(result: dict) -> list[str]:
    met = (result["seconds"] < GOAL_SECONDS and result["recorded"] == result["count"]
           and result["again"] == 0 and result["rows"] == result["count"]
           and result["right_total"])
    rate = result["recorded"] / result["seconds"] if result["seconds"] else 0
    return [
        "## Year-end statements: the January run",
        "",
        f"{result['count']:,} partners who gave last year (three gifts each, one refunded); "
        "the run builds each statement and records its mail in the outbox "
        "(`partners.statements.send_statements`, what the January schedule calls), "
        "then runs again.",
        "",
        "| statements | seconds | a second | run again: recorded (seconds) | target | met |",
        "| ---: | ---: | ---: | --- | --- | --- |",
        f"| {result['recorded']:,} | {result['seconds']:.1f} | {rate:,.0f} | "
        f"{result['again']} ({result['again_seconds']:.1f}) | {result['count']:,} in "
        f"<{GOAL_SECONDS} s, none twice | {'yes' if met else '**no**'} |",
    ]


def main():
    from tests.perf.bench import environment, manage

    env, _ = environment()
    manage(env, "migrate", "--noinput", "-v0")
    count = int(sys.argv[1]) if len(sys.argv) > 1 else COUNT
    print("\n".join(report(measure(env, count))))


if __name__ == "__main__":
    main()
