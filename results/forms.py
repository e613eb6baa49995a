from django import forms


class FinaliseForm(forms.Form):
    confirm_missing = forms.BooleanField(
        label="Finalise without the scorecards that are still open",
        required=False,
    )
    # What the lead saw when ticking the box: if other scorecards opened
    # since (a judge's scorecard unlocked), the confirmation no longer holds.
    open_seen = forms.CharField(required=False, widget=forms.HiddenInput)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Reason for reopening (required, recorded in the audit trail)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Give a reason for reopening the results."},
    )
