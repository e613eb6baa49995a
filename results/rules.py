"""Who may see results. The pages check finer rules themselves (a lead, or a
member of the organisation once the results are final)."""

import rules

from accounts.rules import is_programme_lead

# The Django admin is the lead's fallback (read-only here).
rules.add_perm("results.view_resultsnapshot", is_programme_lead)
rules.add_perm("results", is_programme_lead)  # the app's section of the admin
