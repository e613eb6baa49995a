"""Certificates and reports made by a real Celery worker from the Redis
broker, after the results are finalised and committed."""

import os

import pytest
from django.db import transaction

from documents.models import Certificate, Document
from results import services as results
from tests import pdfs
from tests.documents.helpers import judged_cohort
from tests.factories import make_lead
from tests.integration.conftest import QUEUE, wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        os.environ.get("PQ_INTEGRATION") != "1",
        reason="needs Redis as the Celery broker: run with PQ_INTEGRATION=1 and CELERY_BROKER_URL (CI's second pass)",
    ),
]


def test_finalising_has_the_worker_make_the_certificates_and_reports(celery_worker, executed_tasks):
    lead = make_lead(email="lead@example.org")
    cohort, enrolments = judged_cohort(names=("Alpha Water", "Beta Water"), scores=(8, 5))
    with transaction.atomic():
        results.finalise(cohort=cohort, actor=lead)
        assert not [run for run in executed_tasks if run[0] == "documents.tasks.render_document"]

    def all_finished():
        statuses = set(Document.objects.values_list("status", flat=True))
        return bool(statuses) and statuses <= {"done", "failed"}

    wait_until(all_finished, timeout=120, what="the worker to make every document")
    documents = {d.kind: d for d in Document.objects.exclude(kind="feedback_report")}
    assert {d.key: d.status for d in Document.objects.all()} == {
        "certificate:PQ-03-0001": "done",
        f"award_report:{documents['award_report'].snapshot_id}": "done",
        f"feedback_report:{documents['award_report'].snapshot_id}:{enrolments['Alpha Water'].pk}": "done",
        f"feedback_report:{documents['award_report'].snapshot_id}:{enrolments['Beta Water'].pk}": "done",
    }
    certificate = Certificate.objects.get()
    assert certificate.organisation_name == "Alpha Water"
    assert "PQ-03-0001" in pdfs.text(documents["certificate"].file.path)
    report = pdfs.text(documents["award_report"].file.path)
    assert "Alpha Water" in report and "Beta Water" in report
    renders = [run for run in executed_tasks if run[0] == "documents.tasks.render_document"]
    # Each by the worker's thread, from the broker's queue.
    assert renders == [("documents.tasks.render_document", False, False, QUEUE)] * 4
