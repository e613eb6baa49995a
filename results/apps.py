from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = "Results"

    def ready(self):
        # Imported here, once the apps are loaded: models cannot be imported at module level of apps.py.
        from cohorts.models import Phase
        from cohorts.services.programme import register_phase_guard
        from results.guards import results_guard

        register_phase_guard(Phase.RESULTS, results_guard)
