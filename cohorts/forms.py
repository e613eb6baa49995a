import zoneinfo

from django import forms

from cohorts.models import Cohort, EnrolmentStatus, Milestone, Phase
from organisations.models import Organisation, Sector

COMMON_TIME_ZONES = sorted(
    zone for zone in zoneinfo.available_timezones() if "/" in zone and not zone.startswith(("Etc/", "SystemV/"))
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CohortForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=[(zone, zone.replace("_", " ")) for zone in COMMON_TIME_ZONES],
        initial="Europe/London",
        help_text="Deadlines fall at 23:59 in this time zone.",
    )

    class Meta:
        model = Cohort
        fields = [
            "number",
            "name",
            "sponsor",
            "signatory_name",
            "signatory_title",
            "start_date",
            "time_zone",
            "framework",
            "judges_per_finalist",
            "normalise_scores",
            "pass_threshold",
            "distinction_threshold",
            "retention_days",
        ]
        widgets = {"start_date": DateInput()}
        help_texts = {
            "number": "Cohorts are numbered in order: 1, 2, 3…",
            "start_date": "The timeline is laid out over six months from this date.",
            "judges_per_finalist": "How many judges score each finalist.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        framework = self.fields["framework"]
        framework.empty_label = None
        framework.required = True
        framework.help_text = "The version of the P&Q framework to assess against."
        if self.instance.pk and self.instance.phase not in (Phase.DRAFT, Phase.ENROLMENT):
            framework.disabled = True
            framework.help_text = "The cohort keeps the framework version it started self-assessment with."
        elif not self.instance.pk:
            latest = framework.queryset.order_by("-version").first()
            framework.initial = latest.pk if latest else None
        if self.instance.pk and self.instance.phase == Phase.CLOSED:
            # A closed cohort keeps its settings; only how long its data is kept can change.
            for name, field in self.fields.items():
                if name != "retention_days":
                    field.disabled = True
            self.fields["number"].help_text = "The cohort is closed: only the retention period can change."

    def clean(self):
        cleaned = super().clean()
        passing, distinction = cleaned.get("pass_threshold"), cleaned.get("distinction_threshold")
        if passing is not None and distinction is not None and distinction < passing:
            self.add_error("distinction_threshold", "The distinction threshold cannot be below the pass threshold.")
        return cleaned


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "kind", "date"]
        widgets = {"date": DateInput()}
        labels = {"kind": "Type"}


class PhaseMoveForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class _ChoicesById(forms.ModelMultipleChoiceField):
    """An id too large for any database column is not a choice (rather than
    SQLite's OverflowError when the ids are looked up)."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            digits = str(pk).strip().lstrip("+-")
            if digits.isascii() and digits.isdigit() and int(digits) >= 2**63:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class EnrolForm(forms.Form):
    organisations = _ChoicesById(
        label="Organisations to enrol",
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one organisation."},
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.exclude(enrolments__cohort=cohort).order_by("name")


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the withdrawal", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ExtensionForm(forms.Form):
    until = forms.DateField(
        label="May submit until (23:59 on this day)",
        required=False,
        widget=DateInput(),
        help_text="Leave empty to take the extension away.",
    )


class EnrolmentFilterForm(forms.Form):
    q = forms.CharField(label="Search organisations", required=False, max_length=200)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *EnrolmentStatus.choices])
    sector = forms.ChoiceField(label="Sector", required=False, choices=[("", "Any sector"), *Sector.choices])
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
