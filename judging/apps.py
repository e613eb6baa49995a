from django.apps import AppConfig


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = "Judging"

    def ready(self):
        # Imported here, once the apps are loaded: models cannot be imported at module level of apps.py.
        from cohorts.models import Phase
        from cohorts.services.programme import register_phase_guard
        from judging.guards import judging_guard

        register_phase_guard(Phase.JUDGING, judging_guard)
