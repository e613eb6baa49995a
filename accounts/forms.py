from django import forms
from django.contrib.auth import password_validation

from accounts import roles
from accounts.models import Invitation, Role, User


def _organisation_roles() -> list[tuple[str, str]]:
    source = roles.role_source(Role.ORGANISATION_MEMBER)
    return source.kinds() if source else []


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(label="Role", choices=Role.choices)
    # The organisations and the roles within one come from the organisations
    # app (through the invitation's foreign key and accounts.roles): accounts
    # does not import it.
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Invitation._meta.get_field("organisation").related_model.objects.all(),
        required=False,
        help_text="Only for organisation members.",
    )
    organisation_role = forms.ChoiceField(label="Role in the organisation", choices=_organisation_roles, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        source = roles.role_source(Role.ORGANISATION_MEMBER)
        self.fields["organisation_role"].initial = source.default_kind if source else ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.ORGANISATION_MEMBER and not cleaned.get("organisation"):
            self.add_error("organisation", "Choose the organisation the person will be a member of.")
        return cleaned


class InvitationSignupForm(forms.Form):
    """A new person follows an invitation: their name and a password."""

    full_name = forms.CharField(label="Full name", max_length=200)
    password1 = forms.CharField(
        label="Password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password (again)", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError("Enter your name.")
        return name

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords do not match.")
        elif password1:
            candidate = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label="Search by name or e-mail", required=False, max_length=200)
    role = forms.ChoiceField(
        label="Role", required=False, choices=[("", "Any role"), *Role.choices, ("none", "No role")]
    )


class SignupDetailsForm(forms.Form):
    """Extra sign-up fields (allauth's ACCOUNT_SIGNUP_FORM_CLASS)."""

    full_name = forms.CharField(
        label="Full name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )

    field_order = ["full_name"]

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError("Enter your name.")
        return name

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])


class CloseAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that closing my account cannot be undone.",
        help_text="Download your data first if you want to keep a copy.",
    )
