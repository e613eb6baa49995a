"""Who may see and change framework versions."""

import rules

from accounts.rules import is_programme_lead

rules.add_perm("frameworks.manage_frameworks", is_programme_lead)

# The Django admin is the lead's fallback (read-only here).
for perm in ("view_framework", "view_criterion", "view_kpi"):
    rules.add_perm(f"frameworks.{perm}", is_programme_lead)
rules.add_perm("frameworks", is_programme_lead)  # the app's section of the admin
