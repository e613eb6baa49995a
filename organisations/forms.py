from django import forms

from organisations.imports import MAX_FILE_BYTES, enrolment_target
from organisations.models import Membership, Sector, Size

INVALID_EMAIL = "Enter a valid e-mail address, such as name@example.org."


class OrganisationForm(forms.Form):
    """The organisation's details. A plain form rather than a ModelForm: the
    service checks that the name is free (ignoring case) and says so in
    words, where model validation would name the database constraint."""

    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the organisation's name."})
    sector = forms.ChoiceField(label="Sector", choices=Sector.choices)
    size = forms.ChoiceField(label="Size", choices=[("", "Not given"), *Size.choices], required=False)
    contact_name = forms.CharField(label="Main contact", max_length=200, required=False)
    contact_email = forms.EmailField(
        label="Main contact's e-mail address", required=False, error_messages={"invalid": INVALID_EMAIL}
    )
    contact_phone = forms.CharField(label="Telephone", max_length=40, required=False)
    website = forms.URLField(
        label="Website",
        required=False,
        assume_scheme="https",
        max_length=200,
        error_messages={"invalid": "Enter a website address, such as www.example.org."},
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Enter the organisation's name.")
        return name


class OrganisationCreateForm(OrganisationForm):
    invite_contact = forms.BooleanField(
        label="Invite the main contact as the organisation's admin",
        required=False,
        initial=True,
        help_text="They get an e-mail with a link to set a password; then they can invite their colleagues.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("invite_contact") and not cleaned.get("contact_email") and "contact_email" not in self.errors:
            self.add_error(
                "contact_email",
                "Give the main contact's e-mail address to invite them, or untick “Invite the main contact”.",
            )
        return cleaned


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label="Search by name or contact", required=False, max_length=200)
    sector = forms.ChoiceField(label="Sector", required=False, choices=[("", "Any sector"), *Sector.choices])


class MemberInviteForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        error_messages={"required": "Enter your colleague's e-mail address.", "invalid": INVALID_EMAIL},
    )
    role = forms.ChoiceField(
        label="Role in the organisation",
        choices=Membership.Role.choices,
        initial=Membership.Role.CONTRIBUTOR,
        widget=forms.RadioSelect,
        help_text="Contributors fill in the self-assessment; admins also manage the organisation's details "
        "and its members.",
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=f"At most {MAX_FILE_BYTES // (1024 * 1024)} MB, saved from your spreadsheet as “CSV UTF-8”.",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": "Choose the CSV file to import.",
            "empty": "The file is empty. Upload a CSV file with a header row and one row per organisation.",
        },
    )
    cohort = forms.ModelChoiceField(
        label="Enrol them in a cohort",
        queryset=None,
        required=False,
        empty_label="Do not enrol them yet",
        help_text="Only cohorts that are still taking enrolments are listed.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = enrolment_target().open_cohorts()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: split it into smaller files."
            )
        return upload


class OrganisationEraseForm(forms.Form):
    """The lead erases an organisation's data at its request."""

    confirm_name = forms.CharField(label="Type the organisation's name to confirm", max_length=200)
    reason = forms.CharField(
        label="Whose request is this, and when was it made?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the audit trail, for example: “E-mail from the organisation's admin, 3 March 2027”.",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_confirm_name(self):
        typed = " ".join(self.cleaned_data["confirm_name"].split())
        if typed.casefold() != self.organisation.name.casefold():
            raise forms.ValidationError(f"Type “{self.organisation.name}” exactly, to show this is the right one.")
        return typed
