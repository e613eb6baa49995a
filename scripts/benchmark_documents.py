"""Benchmark the documents (issue "Documents"): one certificate, a batch of
certificates through the real job, the award report for 50 finalists, a
thousand certificates over two worker processes, and memory.

Seeds, in a throw-away SQLite database, a finalised cohort with --batch
accredited finalists (for the certificates) and one with --report-finalists
finalists (for the award report), then prints seconds and peak memory. Run:

    .venv/bin/python scripts/benchmark_documents.py [--batch 200] [--report-finalists 50] [--thousand 1000]

It measures; it asserts nothing.
"""

import argparse
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pq_portal.settings")
    import django

    django.setup()


def rss_mb() -> float:
    """Resident memory now, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed_cohort(*, number: int, finalists: int, judges_per_finalist: int, lead, accredited: bool):
    """A cohort in judging with every scorecard submitted."""
    from datetime import date

    from accounts.models import Role, RoleGrant, User
    from cohorts.models import Cohort, Enrolment, Phase
    from cohorts.services.programme import create_cohort
    from frameworks.models import Criterion
    from judging.models import Assignment, CohortJudge, Scorecard, ScoreEntry
    from organisations.models import Organisation

    cohort = create_cohort(
        actor=lead,
        number=number,
        name=f"Benchmark {number}",
        sponsor="Clarity Analytics",
        signatory_name="Dr Helen Price",
        signatory_title="Programme Director",
        start_date=date(2026, 1, 5),
        time_zone="Europe/London",
    )
    judges = User.objects.bulk_create(
        User(email=f"judge{n}-{number}@bench.test", full_name=f"Judge {n:02d}") for n in range(judges_per_finalist * 2)
    )
    RoleGrant.objects.bulk_create(RoleGrant(user=j, role=Role.JUDGE) for j in judges)
    CohortJudge.objects.bulk_create(CohortJudge(cohort=cohort, judge=j) for j in judges)
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Finalist {n:03d} Customer Services {number}", sector="water") for n in range(finalists)
    )
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(cohort=cohort, organisation=o, status="finalist") for o in organisations
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(cohort=cohort, judge=judges[(i + k) % len(judges)], enrolment=e)
        for i, e in enumerate(enrolments)
        for k in range(judges_per_finalist)
    )
    scorecards = Scorecard.objects.bulk_create(
        Scorecard(
            assignment=a,
            status="submitted",
            strengths="Clear ownership of complaints and quick follow-up.",
            improvements="Share the customer feedback with every team each month.",
        )
        for a in assignments
    )
    criteria = list(Criterion.objects.filter(framework=cohort.framework))
    ScoreEntry.objects.bulk_create(
        (
            ScoreEntry(
                scorecard=s,
                criterion=c,
                score=(6 + (i + c.position) % 5) if accredited else (i * 7 + c.position * 3) % 11,
                comment="Good evidence of a consistent approach; measure the outcome as well.",
            )
            for i, s in enumerate(scorecards)
            for c in criteria
        ),
        batch_size=2000,
    )
    Cohort.objects.filter(pk=cohort.pk).update(phase=Phase.JUDGING)
    cohort.refresh_from_db()
    return cohort


def finalise_quietly(cohort, lead):
    """Finalise without making the documents (this script times them)."""
    from unittest import mock

    from results import services as results

    with mock.patch("documents.services._queue"):
        return results.finalise(cohort=cohort, actor=lead)


def render_many(count: int) -> tuple[float, float]:
    """In a fresh process: render `count` certificates; (seconds, peak MB)."""
    setup_django()
    from documents.certificates import certificate_pdf
    from documents.models import Certificate

    certificate = Certificate.objects.filter(status="valid").first()
    started = time.perf_counter()
    for n in range(count):
        certificate.organisation_name = f"Organisation number {n} Customer Services"
        certificate_pdf(certificate)
    return time.perf_counter() - started, peak_mb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=200, help="certificates in the batch")
    parser.add_argument("--report-finalists", type=int, default=50)
    parser.add_argument("--thousand", type=int, default=1000, help="certificates over two worker processes")
    parser.add_argument("--warm-runs", type=int, default=30)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="pq-bench-docs-")
    os.environ["PQ_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)

    from accounts.models import Role, RoleGrant, User
    from documents import services
    from documents.certificates import certificate_pdf
    from documents.models import Certificate, Document
    from documents.tasks import render_document

    lead = User.objects.create_user(email="lead@bench.test", password="x", full_name="Bench Lead")
    RoleGrant.objects.create(user=lead, role=Role.PROGRAMME_LEAD)
    started = time.perf_counter()
    batch_cohort = seed_cohort(number=20, finalists=args.batch, judges_per_finalist=3, lead=lead, accredited=True)
    finalise_quietly(batch_cohort, lead)
    report_cohort = seed_cohort(
        number=21, finalists=args.report_finalists, judges_per_finalist=3, lead=lead, accredited=False
    )
    report_snapshot = finalise_quietly(report_cohort, lead)
    certificates = Certificate.objects.filter(cohort=batch_cohort).count()
    print(
        f"Seeded: {certificates} certificates to make; a {args.report_finalists}-finalist cohort for the report "
        f"({time.perf_counter() - started:.1f} s)"
    )
    print(f"Memory before rendering: {rss_mb():.0f} MB resident")

    certificate = Certificate.objects.filter(cohort=batch_cohort).first()
    started = time.perf_counter()
    certificate_pdf(certificate)
    cold = time.perf_counter() - started
    warm = []
    for _ in range(args.warm_runs):
        started = time.perf_counter()
        pdf = certificate_pdf(certificate)
        warm.append(time.perf_counter() - started)
    print(
        f"One certificate: first in this process {cold * 1000:.0f} ms; warm median "
        f"{statistics.median(warm) * 1000:.1f} ms, slowest {max(warm) * 1000:.1f} ms ({len(pdf) // 1024} KB)"
    )

    # The batch through the real job: claim, render, store the file, mark done.
    batch = Document.objects.filter(cohort=batch_cohort, kind="certificate")
    from unittest import mock

    with mock.patch("documents.services._queue"):
        services.request_documents(cohort=batch_cohort, actor=lead, reports=False)
    ids = list(batch.values_list("pk", flat=True))
    started = time.perf_counter()
    for pk in ids:
        render_document.apply(kwargs={"document_id": pk})
    elapsed = time.perf_counter() - started
    done = batch.filter(status="done").count()
    print(
        f"Batch of {len(ids)} certificates through the job (one worker): {elapsed:.2f} s, "
        f"{elapsed / max(len(ids), 1) * 1000:.1f} ms each, {done} done; resident {rss_mb():.0f} MB"
    )

    from documents import reports

    started = time.perf_counter()
    pdf = reports.award_report_pdf(report_snapshot)
    elapsed = time.perf_counter() - started
    from io import BytesIO

    from pypdf import PdfReader

    pages = len(PdfReader(BytesIO(pdf)).pages)
    print(f"Award report, {args.report_finalists} finalists: {elapsed:.2f} s, {pages} pages, {len(pdf) // 1024} KB")
    enrolment = report_cohort.enrolments.filter(
        status__in=["accredited", "not_accredited", "accredited_distinction"]
    ).first()
    started = time.perf_counter()
    reports.feedback_report_pdf(report_snapshot, enrolment)
    print(f"One feedback report: {(time.perf_counter() - started) * 1000:.0f} ms")
    print(f"Peak memory of this process so far: {peak_mb():.0f} MB")

    # Memory across many renders in one warm process.
    marks = []
    for n in range(1, 1001):
        certificate.organisation_name = f"Organisation number {n} Customer Services"
        certificate_pdf(certificate)
        if n in (1, 250, 500, 750, 1000):
            marks.append(f"{n}: {rss_mb():.0f} MB")
    print("Resident memory over 1,000 more renders in one process: " + ", ".join(marks))

    from django.db import connections

    connections.close_all()
    per_worker = args.thousand // 2
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        runs = pool.map(render_many, [per_worker, per_worker])
    elapsed = time.perf_counter() - started
    print(
        f"{args.thousand} certificates over two worker processes (each started cold): {elapsed:.1f} s wall; "
        f"peak memory per worker {max(p for _, p in runs):.0f} MB"
    )


if __name__ == "__main__":
    main()
