from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = "Results"

    def ready(self):
        # Imported once the apps are loaded: apps.py may not import models at module level.
        from cohorts.models import Phase  # noqa: PLC0415
        from cohorts.services.programme import register_phase_guard  # noqa: PLC0415
        from results.guards import results_guard  # noqa: PLC0415

        register_phase_guard(Phase.RESULTS, results_guard)
