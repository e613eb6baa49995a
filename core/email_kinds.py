"""Which e-mails a person may switch off.

Every e-mail template belongs to one category. Mandatory categories are
always sent: they let people in, keep their account safe, or are the record
of what was submitted and decided. Optional ones can be switched off on the
preferences page; the in-site notification is still made, so nothing is
missed, only the e-mail is not sent. A template that is not listed here
(allauth's account e-mails, for instance) counts as mandatory: an e-mail is
never skipped because nobody classified it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    description: str
    mandatory: bool
    reason: str = ""  # why a mandatory category cannot be switched off


ACCOUNT = Category(
    "account",
    "Invitations and account security",
    "Invitations, e-mail address confirmation, password resets and notices about your sign-in settings.",
    mandatory=True,
    reason="They carry the links that let you in and warn you when your account changes.",
)
RECEIPTS = Category(
    "receipts",
    "Receipts and decisions",
    "The receipt when your organisation's self-assessment is submitted, decisions on applications "
    "and the confirmation of an enrolment.",
    mandatory=True,
    reason="They are your record of what was submitted and decided.",
)
RESULTS = Category(
    "results",
    "Results and certificates",
    "Your organisation's outcome when results are published, and certificates issued, reissued or revoked.",
    mandatory=True,
    reason="Every member must learn the outcome and the state of their certificate.",
)
LEAD_MESSAGES = Category(
    "lead_messages",
    "Reminders from the programme lead",
    "A reminder the programme lead sends you in person when something is due.",
    mandatory=True,
    reason="The programme lead sends these by hand when your work is needed.",
)
REMINDERS = Category(
    "reminders",
    "Deadline reminders",
    "Automatic reminders 14, 7 and 1 days before the self-assessment deadline, and 7 and 1 days before "
    "the judging deadline, while your part is still open.",
    mandatory=False,
)
PROGRAMME_NEWS = Category(
    "programme_news",
    "Shortlist and self-assessment news",
    "The shortlist announcement and a self-assessment reopened for changes.",
    mandatory=False,
)
JUDGING_NEWS = Category(
    "judging_news",
    "Judging panel and assignments",
    "Being added to a judging panel, your list of finalists when it changes, and a scorecard unlocked for changes.",
    mandatory=False,
)

CATEGORIES = [ACCOUNT, RECEIPTS, RESULTS, LEAD_MESSAGES, REMINDERS, PROGRAMME_NEWS, JUDGING_NEWS]
BY_CODE = {category.code: category for category in CATEGORIES}
OPTIONAL_CODES = frozenset(category.code for category in CATEGORIES if not category.mandatory)

TEMPLATE_CATEGORIES = {
    "invitation": ACCOUNT.code,
    "second_factor_reset": ACCOUNT.code,
    "application_accepted": RECEIPTS.code,
    "application_declined": RECEIPTS.code,
    "enrolment_confirmed": RECEIPTS.code,
    "assessment_submitted": RECEIPTS.code,
    "results_published": RESULTS.code,
    "certificate_issued": RESULTS.code,
    "certificate_reissued": RESULTS.code,
    "certificate_revoked": RESULTS.code,
    "judge_reminder": LEAD_MESSAGES.code,
    "organisation_reminder": LEAD_MESSAGES.code,
    "self_assessment_deadline_reminder": REMINDERS.code,
    "judging_deadline_reminder": REMINDERS.code,
    "shortlist_finalist": PROGRAMME_NEWS.code,
    "shortlist_not_selected": PROGRAMME_NEWS.code,
    "assessment_reopened": PROGRAMME_NEWS.code,
    "judge_panel_added": JUDGING_NEWS.code,
    "judge_assignment": JUDGING_NEWS.code,
    "scorecard_unlocked": JUDGING_NEWS.code,
}


def category_of(template: str) -> Category:
    return BY_CODE[TEMPLATE_CATEGORIES.get(template, ACCOUNT.code)]


def is_optional(template: str) -> bool:
    return not category_of(template).mandatory
