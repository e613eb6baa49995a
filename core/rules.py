import rules

from accounts.rules import is_programme_lead

rules.add_perm("core.view_auditevent", is_programme_lead)
rules.add_perm("core.view_outboundemail", is_programme_lead)
rules.add_perm("core", is_programme_lead)  # the app's section of the admin
