"""Integration tests need the real services of CI's second pass: Redis as
the Celery broker and a worker running inside the test process.

They run only with PQ_INTEGRATION=1. Elsewhere they are skipped with the
reason, except in a strict pass (PQ_NO_SKIP=1) without PQ_INTEGRATION, such
as CI's first, SQLite pass: there they are deselected, because that pass
leaves them out by design and a skip would count as a failure.
"""

import os
import threading
import time
from collections.abc import Callable

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connections

from pq_portal.celery import app as celery_app

ENABLED = os.environ.get("PQ_INTEGRATION") == "1"
STRICT = os.environ.get("PQ_NO_SKIP") == "1"


def pytest_report_header(config):
    if ENABLED:
        return f"integration tests: on (broker {os.environ.get('CELERY_BROKER_URL') or 'NOT SET'})"
    return "integration tests: off (set PQ_INTEGRATION=1 with Redis at CELERY_BROKER_URL to run them)"


def pytest_collection_modifyitems(config, items):
    if ENABLED or not STRICT:
        return
    integration = [item for item in items if item.get_closest_marker("integration")]
    if integration:
        config.hook.pytest_deselected(items=integration)
        items[:] = [item for item in items if not item.get_closest_marker("integration")]


DELIVERY_TIMEOUT = 20.0
# The queue the tasks go to and the worker consumes: "celery", or one per
# xdist worker ("celery-gw0"), which also has Redis databases of its own
# (pq_portal/settings.py), so that workers never take each other's tasks.
QUEUE = settings.CELERY_TASK_DEFAULT_QUEUE


def wait_until(condition: Callable[[], bool], *, timeout: float = DELIVERY_TIMEOUT, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Gave up after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def executed_tasks():
    """(task name, eager?, ran on the test's own thread?, broker queue) of
    every task run while the test runs."""
    runs = []

    def on_prerun(sender=None, task=None, **kwargs):
        delivery_info = task.request.delivery_info or {}
        runs.append(
            (
                task.name,
                bool(task.request.is_eager),
                threading.current_thread() is threading.main_thread(),
                delivery_info.get("routing_key"),
            )
        )

    signals.task_prerun.connect(on_prerun, weak=False)
    yield runs
    signals.task_prerun.disconnect(on_prerun)


@pytest.fixture
def celery_worker(transactional_db):
    """A worker consuming QUEUE from the Redis broker of the settings
    (CELERY_BROKER_URL, moved to this xdist worker's own database)."""
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "PQ_INTEGRATION=1 needs CELERY_BROKER_URL=redis://…"
    assert celery_app.conf.broker_url == settings.CELERY_BROKER_URL
    assert celery_app.conf.task_default_queue == QUEUE
    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    # Messages left behind by an interrupted earlier run must not be delivered here.
    celery_app.control.purge()
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = was_eager
        # The worker thread opened its own connection; close it so that the
        # test database can be flushed and dropped.
        connections.close_all()
