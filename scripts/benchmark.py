"""Benchmark the pages that grow with a cohort (DESIGN.md, issue "Results").

Seeds, in a throw-away SQLite database, a cohort of 300 finalists with 6
judges each on the default framework and every scorecard submitted, then
times each page N times and prints the median and 95th-percentile time and
the number of queries. Run it with:

    .venv/bin/python scripts/benchmark.py [--finalists 300] [--judges-per-finalist 6] [--runs 15]

It measures; it asserts nothing (the query-count tests guard the bounds).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--finalists", type=int, default=300)
    parser.add_argument("--judges-per-finalist", type=int, default=6)
    parser.add_argument("--judges", type=int, default=30, help="size of the panel")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="pq-benchmark-")
    os.environ["PQ_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pq_portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)
    cohort, lead, judge, member_enrolment = seed(args)
    measure(cohort, lead, judge, member_enrolment, args.runs)


def seed(args):
    from datetime import date

    from allauth.mfa.totp.internal.auth import TOTP

    from accounts.models import Role, RoleGrant, User
    from cohorts.models import Cohort, Enrolment, Phase
    from cohorts.services.programme import create_cohort
    from frameworks.models import Criterion
    from judging.models import Assignment, CohortJudge, Scorecard, ScoreEntry
    from organisations.models import Membership, Organisation

    started = time.perf_counter()
    lead = User.objects.create_user(email="lead@bench.test", password="x", full_name="Bench Lead", is_staff=True)
    RoleGrant.objects.create(user=lead, role=Role.PROGRAMME_LEAD)
    TOTP.activate(lead, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    cohort = create_cohort(
        actor=lead, number=9, name="Benchmark", sponsor="", start_date=date(2026, 1, 5), time_zone="Europe/London"
    )
    judges = User.objects.bulk_create(
        User(email=f"judge{n}@bench.test", full_name=f"Judge {n:02d}") for n in range(args.judges)
    )
    RoleGrant.objects.bulk_create(RoleGrant(user=j, role=Role.JUDGE) for j in judges)
    for j in judges:
        TOTP.activate(j, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    CohortJudge.objects.bulk_create(CohortJudge(cohort=cohort, judge=j) for j in judges)
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Finalist {n:03d} Water", sector="water") for n in range(args.finalists)
    )
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(cohort=cohort, organisation=o, status="finalist") for o in organisations
    )
    member = User.objects.create_user(email="member@bench.test", password="x", full_name="Bench Member")
    Membership.objects.create(user=member, organisation=organisations[0], role="admin")
    assignments = Assignment.objects.bulk_create(
        Assignment(cohort=cohort, judge=judges[(i * args.judges_per_finalist + k) % len(judges)], enrolment=e)
        for i, e in enumerate(enrolments)
        for k in range(args.judges_per_finalist)
    )
    scorecards = Scorecard.objects.bulk_create(
        Scorecard(assignment=a, status="submitted", strengths="Strong.", improvements="More.") for a in assignments
    )
    criteria = list(Criterion.objects.filter(framework=cohort.framework))
    ScoreEntry.objects.bulk_create(
        (
            ScoreEntry(scorecard=s, criterion=c, score=(i * 7 + c.position * 3) % 11, comment="Fine.")
            for i, s in enumerate(scorecards)
            for c in criteria
        ),
        batch_size=2000,
    )
    Cohort.objects.filter(pk=cohort.pk).update(phase=Phase.JUDGING)
    cohort.refresh_from_db()
    print(
        f"Seeded {args.finalists} finalists × {args.judges_per_finalist} judges ({len(scorecards)} scorecards, "
        f"{len(scorecards) * len(criteria)} scores) in {time.perf_counter() - started:.1f} s"
    )
    return cohort, lead, judges[0], enrolments[0]


def timed(client, path, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        queries = len(captured)
    return times, queries


def report(name, times, queries):
    times = sorted(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"{name:<40} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   {queries} queries")


def measure(cohort, lead, judge, enrolment, runs):
    from django.test import Client

    from judging.models import Assignment
    from results import services as results

    lead_client, judge_client = Client(), Client()
    lead_client.force_login(lead)
    judge_client.force_login(judge)
    assignment = Assignment.objects.filter(judge=judge).first()

    print(f"\nEach page {runs} times (Django test client, SQLite, in process):")
    report("lead's judging dashboard (first page)", *timed(lead_client, f"/cohorts/{cohort.number}/judging/", runs))
    report("a judge's list", *timed(judge_client, "/judging/", runs))
    report("one scorecard page", *timed(judge_client, f"/judging/{assignment.pk}/", runs))
    report("results preview", *timed(lead_client, f"/cohorts/{cohort.number}/results/", runs))

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        results.compute(results.gather(cohort), normalise_scores=True)
        times.append((time.perf_counter() - started) * 1000)
    report("results computation alone (gather + compute)", times, "—")

    results.finalise(cohort=cohort, actor=lead, confirm_missing=True)
    member_client = Client()
    from accounts.models import User

    member_client.force_login(User.objects.get(email="member@bench.test"))
    report(
        "an organisation's results page",
        *timed(member_client, f"/cohorts/{cohort.number}/my-results/{enrolment.pk}/", runs),
    )


if __name__ == "__main__":
    main()
