from django.apps import AppConfig


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = "Judging"

    def ready(self):
        from accounts.signals import invitation_accepted
        from judging import receivers

        invitation_accepted.connect(
            receivers.seat_judge_on_invited_panels, dispatch_uid="judging.seat_judge_on_invited_panels"
        )
