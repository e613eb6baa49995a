from django import forms


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Shown on the public verification page and kept in the audit trail.",
    )


class ReissueForm(ReasonForm):
    organisation_name = forms.CharField(
        label="Organisation's name as it should appear",
        max_length=200,
        help_text="Correct it here if the name on the certificate was wrong; otherwise leave it as it is.",
    )

    field_order = ["organisation_name", "reason"]

    def clean_organisation_name(self):
        name = " ".join(self.cleaned_data["organisation_name"].split())
        if not name:
            raise forms.ValidationError("Enter the organisation's name.")
        return name


class VerifyForm(forms.Form):
    serial = forms.CharField(
        label="Certificate number",
        max_length=30,
        help_text="As printed on the certificate, for example PQ-03-0001.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    organisation_name = forms.CharField(
        label="Organisation's name",
        max_length=200,
        help_text="Exactly as printed on the certificate (capitals and spacing do not matter).",
    )
