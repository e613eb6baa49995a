"""Forms for the lead's framework pages. They check the shape of the input;
the rules (frozen versions, unique codes, weights) live in the services."""

from decimal import Decimal

from django import forms

from frameworks.models import KPI, Criterion, Framework, Pillar


class CopyFrameworkForm(forms.Form):
    name = forms.CharField(
        label="Name of the new version",
        max_length=Framework._meta.get_field("name").max_length,
        help_text="Such as “P&Q framework 2027”. The copy gets the next version number.",
    )


class FrameworkForm(forms.ModelForm):
    class Meta:
        model = Framework
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"description": "Shown with the version: what it is for and how it differs from the last one."}


class CriterionForm(forms.ModelForm):
    pillar = forms.ChoiceField(
        label="Pillar",
        choices=[(pillar.value, pillar.label) for pillar in (Pillar.QUALITY, Pillar.PEOPLE)],
        widget=forms.RadioSelect,
    )
    weight = forms.DecimalField(
        label="Weight",
        min_value=Decimal("0.01"),
        max_digits=5,
        decimal_places=2,
        help_text="Greater than 0. Most criteria weigh 1; give 1.5 or 2 to those that matter more.",
        error_messages={"min_value": "The weight must be greater than 0."},
    )

    class Meta:
        model = Criterion
        fields = [
            "pillar",
            "code",
            "title",
            "guidance",
            "weight",
            "judging_only",
            "level_1",
            "level_2",
            "level_3",
            "level_4",
            "level_5",
        ]
        labels = {
            "judging_only": "Judging only",
            "level_1": "Level 1: Reacting",
            "level_2": "Level 2: Developing",
            "level_3": "Level 3: Established",
            "level_4": "Level 4: Advanced",
            "level_5": "Level 5: Leading",
        }
        help_texts = {
            "code": "Unique in the version, such as Q3 or P2.",
            "guidance": "What good looks like and what evidence to bring.",
        }
        widgets = {
            "guidance": forms.Textarea(attrs={"rows": 5}),
            **{f"level_{n}": forms.Textarea(attrs={"rows": 3}) for n in range(1, 6)},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        weight = self.initial.get("weight")
        if isinstance(weight, Decimal):
            self.initial["weight"] = f"{weight.normalize():f}"  # 1.5 rather than 1.50


class KPIForm(forms.ModelForm):
    class Meta:
        model = KPI
        fields = ["name", "unit", "direction"]
        labels = {"name": "Name of the KPI", "direction": "Which is better"}
        widgets = {"direction": forms.RadioSelect}
