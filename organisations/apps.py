from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = "Organisations and members"

    def ready(self):
        # Imported once the apps are loaded: apps.py may not import models at module level.
        from accounts.models import Role  # noqa: PLC0415
        from accounts.roles import RoleSource, register_role_source  # noqa: PLC0415
        from accounts.signals import invitation_accepted  # noqa: PLC0415
        from organisations import receivers, selectors  # noqa: PLC0415
        from organisations.models import Membership  # noqa: PLC0415

        invitation_accepted.connect(receivers.create_membership, dispatch_uid="organisations.create_membership")
        # Organisation members hold their role through a Membership.
        register_role_source(
            RoleSource(
                role=Role.ORGANISATION_MEMBER,
                held_by=selectors.is_member,
                held_by_email=selectors.is_member_by_email,
                kinds=selectors.membership_roles,
                default_kind=Membership.Role.CONTRIBUTOR,
            )
        )
