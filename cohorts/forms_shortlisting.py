from django import forms


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
