import rules

from accounts.rules import is_programme_lead

for perm in ("view_organisation", "add_organisation", "change_organisation", "view_membership"):
    rules.add_perm(f"cohorts.{perm}", is_programme_lead)
rules.add_perm("cohorts", is_programme_lead)  # the app's section of the admin
