from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Self-assessments"

    def ready(self):
        # Imported once the apps are loaded: apps.py may not import models at module level.
        from assessments.selectors import assessment_summaries  # noqa: PLC0415
        from cohorts.selectors import register_enrolment_summaries  # noqa: PLC0415

        register_enrolment_summaries(assessment_summaries)
