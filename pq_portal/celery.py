"""The Celery app. Settings come from Django's settings (the CELERY_ names).

With no CELERY_BROKER_URL, tasks run in-process and eagerly, so the default
set-up needs no services; long-running work keeps its progress in the
database, never in a result backend.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pq_portal.settings")

app = Celery("pq_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
