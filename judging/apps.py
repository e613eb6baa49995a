from django.apps import AppConfig


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = "Judging"

    def ready(self):
        # Imported once the apps are loaded: apps.py may not import models at module level.
        from cohorts.models import Phase  # noqa: PLC0415
        from cohorts.services.programme import register_phase_guard  # noqa: PLC0415
        from cohorts.services.reminders import register_daily_reminders  # noqa: PLC0415
        from judging.guards import judging_guard  # noqa: PLC0415
        from judging.reminders import judging_reminders  # noqa: PLC0415

        register_phase_guard(Phase.JUDGING, judging_guard)
        register_daily_reminders(Phase.JUDGING, judging_reminders)
        from accounts.signals import invitation_accepted  # noqa: PLC0415
        from judging import receivers  # noqa: PLC0415

        invitation_accepted.connect(
            receivers.seat_judge_on_invited_panels, dispatch_uid="judging.seat_judge_on_invited_panels"
        )
