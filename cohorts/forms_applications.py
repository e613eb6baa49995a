from django import forms

from cohorts.models import Application


class ApplicationForm(forms.ModelForm):
    motivation = forms.CharField(
        label="Why does your organisation want to take part?",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="What you hope to learn or show: the programme lead reads this before deciding.",
        error_messages={"required": "Tell us why your organisation wants to take part."},
    )

    website = forms.URLField(
        label="Website",
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
        help_text="For example https://www.example.co.uk",
        error_messages={"invalid": "Enter the address of the website, such as https://www.example.co.uk"},
    )

    class Meta:
        model = Application
        fields = ["organisation_name", "sector", "size", "contact_phone", "website", "motivation"]
        labels = {
            "organisation_name": "Your organisation's name",
            "size": "Size",
            "contact_phone": "Telephone",
        }
        help_texts = {
            "organisation_name": "As it should appear on a certificate.",
            "size": "The people who serve your customers (advisers, team leaders and support).",
            "contact_phone": "A number the programme lead can call you on.",
        }
        error_messages = {
            "organisation_name": {"required": "Enter your organisation's name."},
            "sector": {"required": "Choose your organisation's sector."},
            "size": {"required": "Choose your organisation's size."},
        }
        widgets = {
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "organisation_name": forms.TextInput(attrs={"autocomplete": "organization"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", "Choose a sector"), *self.fields["sector"].choices[1:]]
        self.fields["size"].choices = [("", "Choose a size"), *self.fields["size"].choices[1:]]

    def clean_organisation_name(self):
        return " ".join(self.cleaned_data["organisation_name"].split())


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason for declining",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="The applicant reads this in the e-mail that tells them.",
        error_messages={"required": "Give a reason for declining: the applicant will read it."},
    )


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Application.Status.choices]
    )
