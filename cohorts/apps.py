from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = "Programme"

    def ready(self):
        # Imported once the apps are loaded: apps.py may not import models at module level.
        from cohorts.services import programme  # noqa: PLC0415
        from frameworks.services import VersionUsers, register_version_users  # noqa: PLC0415
        from organisations.imports import EnrolmentTarget, register_enrolment_target  # noqa: PLC0415

        register_enrolment_target(
            EnrolmentTarget(
                open_cohorts=programme.open_for_enrolment,
                refusal=programme.enrolment_refusal,
                enrol=programme.enrol,
            )
        )
        register_version_users(VersionUsers(past_enrolment=programme.cohorts_past_enrolment))
