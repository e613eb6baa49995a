from django import forms

from accounts.models import Role, User
from cohorts.models import Cohort, Enrolment, EnrolmentStatus
from judging.models import Relationship
from organisations.models import Organisation


def _person(user: User) -> str:
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


class _OfferedChoices:
    """A choice field that accepts any row of a wide queryset (so that a
    post naming someone off the list reaches the service, which says why
    it is refused) but offers only `offered` in the drop-down."""

    def offer(self, field_name: str, offered, label, empty: str) -> None:
        field = self.fields[field_name]
        field.widget.choices = [("", empty), *((item.pk, label(item)) for item in offered)]


class AddJudgeForm(_OfferedChoices, forms.Form):
    judge = forms.ModelChoiceField(
        label="Judge",
        queryset=User.objects.filter(role_grants__role=Role.JUDGE, role_grants__revoked_at__isnull=True).distinct(),
        error_messages={
            "required": "Choose a judge.",
            "invalid_choice": "That person does not hold the judge role: invite them by e-mail instead.",
        },
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        offered = (
            self.fields["judge"]
            .queryset.exclude(panels__cohort=cohort, panels__removed_at__isnull=True)
            .order_by("full_name", "email")
        )
        self.offer("judge", offered, _person, "Choose a judge")
        self.has_candidates = offered.exists()


class InviteJudgeForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        help_text="Someone who is not a judge on the portal yet. They get an invitation and join this panel "
        "when they accept it.",
        error_messages={"required": "Enter the person's e-mail address."},
    )


class RemoveJudgeForm(forms.Form):
    reason = forms.CharField(
        label="Reason (recorded in the audit trail)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Give a reason for removing the judge."},
    )


class ConflictForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        error_messages={
            "required": "Choose the organisation.",
            "invalid_choice": "Choose an organisation from the list.",
        },
    )
    relationship = forms.ChoiceField(
        label="Your relationship with it",
        choices=Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you are related to the organisation."},
    )
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="In a sentence or two: what the relationship is and when it was.",
        error_messages={"required": "Add a note saying what the relationship is."},
    )

    def __init__(self, *args, cohort: Cohort, exclude_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            Organisation.objects.filter(enrolments__cohort=cohort)
            .exclude(enrolments__cohort=cohort, enrolments__status=EnrolmentStatus.WITHDRAWN)
            .exclude(pk__in=exclude_ids)
            .order_by("name")
        )


class ManualAssignmentForm(_OfferedChoices, forms.Form):
    judge = forms.ModelChoiceField(
        label="Judge",
        queryset=User.objects.all(),
        error_messages={"required": "Choose a judge.", "invalid_choice": "Choose a judge from the list."},
    )
    enrolment = forms.ModelChoiceField(
        label="Finalist",
        queryset=Enrolment.objects.none(),
        error_messages={"required": "Choose a finalist.", "invalid_choice": "Choose a finalist from the list."},
    )

    def __init__(self, *args, cohort: Cohort, judges, finalists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = cohort.enrolments.select_related("organisation")
        self.offer("judge", judges, str, "Choose a judge")
        self.offer("enrolment", finalists, lambda enrolment: enrolment.organisation.name, "Choose a finalist")


class TopForm(forms.Form):
    n = forms.IntegerField(
        label="Number of finalists",
        min_value=1,
        max_value=999,
        help_text="Organisations tied with the last one at the cut-off are all included.",
        error_messages={
            "required": "Enter how many finalists you want, such as 8.",
            "invalid": "Enter a whole number, such as 8.",
            "min_value": "Enter a whole number of at least 1.",
            "max_value": "Enter a number below 1,000.",
        },
    )
