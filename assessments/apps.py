from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Self-assessments"

    def ready(self):
        # Imported once the apps are loaded: apps.py may not import models at module level.
        from assessments.models import KPIValue, Response  # noqa: PLC0415
        from assessments.selectors import assessment_summaries  # noqa: PLC0415
        from cohorts.selectors import register_enrolment_summaries  # noqa: PLC0415
        from frameworks.services import AnswerChecks, register_answer_checks  # noqa: PLC0415

        register_enrolment_summaries(assessment_summaries)
        register_answer_checks(
            AnswerChecks(
                criterion_answered=lambda criterion: Response.objects.filter(criterion=criterion).exists(),
                kpi_answered=lambda kpi: KPIValue.objects.filter(kpi=kpi).exists(),
            )
        )
