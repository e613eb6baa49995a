"""Integration tests need the real services of CI's second pass: Redis as
the Celery broker and a worker running inside the test process.

They run only with PQ_INTEGRATION=1. Elsewhere they are skipped with the
reason, except in a strict pass (PQ_NO_SKIP=1) without PQ_INTEGRATION, such
as CI's first, SQLite pass: there they are deselected, because that pass
leaves them out by design and a skip would count as a failure.
"""

import os

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
