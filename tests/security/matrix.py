"""The permission matrix: every page of the site, and what each person gets
when they ask for it (tests/security/test_permission_matrix.py runs it).

Outcomes:

    OK       allowed: 2xx, or the redirect a working page gives
    LOGIN    sent to sign in
    MFA      sent to set up two-factor authentication (leads and judges without it)
    REFUSED  POST only: the page answers (2xx/3xx, saying why) but changes nothing
    401, 403, 404, 405   that status; 404 where the object belongs to another
             organisation or judge, so that its existence does not leak

Every URL is requested with A's objects (organisation A, its enrolments,
assessments, evidence and the judge assigned to it), so "member_b" is the
member of another organisation. POST is checked for every URL that changes
something: every refused POST must leave the database as it was (the probe,
the audit trail and the outbox); the first allowed one must change the probe,
which shows that the data posted is valid and the refusals are real.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Invitation, RoleGrant, User
from assessments.models import EvidenceFile, SelfAssessment
from cohorts.models import Application, Cohort, Enrolment, Milestone, Reminder
from core.models import AuditEvent, EmailOptOut, Notification, OutboundEmail
from documents.models import Certificate, Document, DocumentBatch
from frameworks.models import KPI, Criterion, Framework
from judging.models import Assignment, CohortJudge, ConflictDeclaration
from organisations.models import Membership, Organisation, OrganisationImport
from results import services as results
from results.models import ResultSnapshot
from results.views import _digest
from tests.security.world import (
    ANON,
    CLOSED,
    FINAL,
    JUDGE_A,
    JUDGE_FREE,
    JUDGE_NO_MFA,
    JUDGING,
    LEAD_NO_MFA,
    NO_ROLE,
    ROLES,
    SA,
    SHORTLISTING,
    STAFF,
    SUPERUSER_NO_MFA,
    World,
    png,
)

OK, LOGIN, MFA, REFUSED = "ok", "login", "mfa", "refused"


def expect(default, **by_role) -> dict[str, object]:
    """`default` for everyone signed in, except: visitors are sent to sign
    in, and leads and judges without MFA to set it up. A superuser without
    MFA gets what a lead without MFA gets (sent to set it up, except on the
    pages open to everyone), and a staff account with no role what a person
    with no role gets, unless a row says otherwise."""
    table = dict.fromkeys(ROLES, default)
    table.update({ANON: LOGIN, LEAD_NO_MFA: MFA, JUDGE_NO_MFA: MFA})
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    table.update(by_role)
    if SUPERUSER_NO_MFA not in by_role:
        table[SUPERUSER_NO_MFA] = table[LEAD_NO_MFA]
    if STAFF not in by_role:
        table[STAFF] = table[NO_ROLE]
    return table


# The usual shapes ------------------------------------------------------------------

LEAD_ONLY = expect(403, lead=OK)
LEAD_ACTION_GET = expect(403, lead=405)  # GET on one of the lead's POST-only actions
ORGANISATION_A = expect(403, lead=OK, member_a=OK, member_b=404)  # judges and others have no organisation pages
ORGANISATION_A_ACTION_GET = expect(403, lead=405, member_a=405, member_b=404)
ASSESSMENT_A = expect(404, lead=OK, member_a=OK)  # nobody else learns it exists
ASSESSMENT_A_ACTION_GET = expect(404, lead=405, member_a=405)
ANSWER_A = expect(404, lead=403, member_a=OK)  # the lead reads, only the members write
ON_THE_PANEL = expect(403, judge_a=OK, judge_free=OK, judge_conflicted=OK)
JUDGES = expect(403, judge_a=OK, judge_free=OK, judge_conflicted=OK, judge_removed=OK)
SCORECARD_A = expect(404, judge_a=OK)
NOT_A_GET = expect(405, anon=405)  # htmx endpoints with no GET at all


@dataclass(frozen=True)
class Page:
    get: dict
    kwargs: Callable[[World, str], dict] = lambda w, role: {}
    post: dict | None = None  # None: GET only (nothing to change)
    data: Callable[[World], dict] | None = None
    probe: Callable[[World], object] | None = None
    query: str = ""
    prepare: Callable[[World], None] | None = None  # run before each POST (and undone with it)


def number(key):
    return lambda w, role: {"number": w.number(key)}


def enrolment(key, organisation="A"):
    return lambda w, role: {"number": w.number(key), "pk": w.enrolment(key, organisation).pk}


def assessment(key, **extra):
    return lambda w, role: {"pk": w.assessment(key).pk, **extra}


def pk(getter):
    return lambda w, role: {"pk": getter(w).pk}


def version(getter=lambda w: w.extra["framework"], **extra):
    def kwargs(w, role):
        return {"version": getter(w).version, **{k: f(w).pk for k, f in extra.items()}}

    return kwargs


def own_assignment(w, role):
    """A judge asks for their own assignment to A when they have (or had) one,
    else for judge_a's."""
    assignment = w.assignments.get((JUDGING, role, "A")) or w.assignment(JUDGE_A)
    return {"assignment_pk": assignment.pk}


def field_of(model, pk_getter, *fields):
    return lambda w: tuple(model.objects.filter(pk=pk_getter(w).pk).values_list(*fields).first() or ())


def count(queryset_getter):
    return lambda w: queryset_getter(w).count()


def cohort_form(w, **changes):
    cohort = w.cohort(SA)
    data = {
        "number": cohort.number,
        "name": cohort.name,
        "sponsor": cohort.sponsor,
        "signatory_name": "Pat Signer",
        "signatory_title": "Programme Director",
        "start_date": cohort.start_date.isoformat(),
        "time_zone": cohort.time_zone,
        "framework": cohort.framework_id,
        "judges_per_finalist": 2,
        "pass_threshold": "60",
        "distinction_threshold": "75",
        "retention_days": 730,
    }
    data.update(changes)
    return data


CRITERION_FORM = {
    "pillar": "Q",
    "code": "Q9",
    "title": "Complaint insight",
    "guidance": "What complaints teach the organisation.",
    "weight": "1",
    **{f"level_{n}": f"Level {n} descriptor." for n in range(1, 6)},
}

PAGES: dict[str, Page] = {
    # Home and dashboards -------------------------------------------------------------
    "home": Page(get=expect(OK, anon=OK)),
    "lead_dashboard": Page(get=LEAD_ONLY),
    "judge_dashboard": Page(get=JUDGES),
    "member_dashboard": Page(get=expect(403, member_a=OK, member_b=OK)),
    "failed_emails": Page(get=LEAD_ONLY),
    "resend_email": Page(
        kwargs=pk(lambda w: w.extra["failed_email"]),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=field_of(OutboundEmail, lambda w: w.extra["failed_email"], "status", "attempts"),
    ),
    "notifications": Page(get=expect(OK)),
    "notification_open": Page(kwargs=pk(lambda w: w.extra["notification"]), get=expect(404, member_a=OK)),
    # Everyone may mark their own notifications read; nobody else's (member_a's stays unread).
    "notification_read": Page(
        kwargs=pk(lambda w: w.extra["notification"]),
        get=expect(405),
        post=expect(REFUSED, member_a=OK),
        probe=field_of(Notification, lambda w: w.extra["notification"], "read_at"),
    ),
    "notifications_read_all": Page(
        get=expect(405),
        post=expect(REFUSED, member_a=OK),
        probe=field_of(Notification, lambda w: w.extra["notification"], "read_at"),
    ),
    # Each person's own choices: everyone signed in may save theirs.
    "notification_preferences": Page(
        get=expect(OK), post=expect(OK), data=lambda w: {}, probe=count(lambda w: EmailOptOut.objects.all())
    ),
    "audit_trail": Page(get=LEAD_ONLY),
    "audit_trail_csv": Page(get=LEAD_ONLY),
    # Privacy ---------------------------------------------------------------------------
    "portal:privacy": Page(get=expect(OK, anon=OK, lead_no_mfa=OK, judge_no_mfa=OK)),
    "portal:my_data": Page(get=expect(OK)),
    # Closing an account asks for the password again first (allauth's reauthentication): a
    # POST without it is sent there and changes nothing. tests/security/test_privacy.py closes accounts.
    "portal:close_account": Page(
        get=expect(OK),
        post=expect(REFUSED),
        data=lambda w: {"confirm": "on"},
        probe=lambda w: tuple(User.objects.order_by("pk").values_list("email", "is_active")),
    ),
    # People and invitations ------------------------------------------------------------
    "accounts:invitation_accept": Page(
        kwargs=lambda w, role: {"token": w.extra["invitation_token"]},
        # The link is for newcomer@…: anyone signed in as someone else is told to sign out.
        get=expect(403, anon=OK, lead_no_mfa=403, judge_no_mfa=403),
        post=expect(403, anon=OK, lead_no_mfa=403, judge_no_mfa=403),
        data=lambda w: {
            "full_name": "Nia Newcomer",
            "password1": "a-long-new-passphrase",
            "password2": "a-long-new-passphrase",
        },
        probe=field_of(Invitation, lambda w: w.extra["invitation"], "accepted_at"),
    ),
    "accounts:people": Page(get=LEAD_ONLY),
    "accounts:invite": Page(
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        data=lambda w: {"email": "someone-new@matrix.example", "role": "judge"},
        probe=count(lambda w: Invitation.objects.all()),
    ),
    "accounts:revoke_role": Page(
        kwargs=pk(lambda w: w.extra["spare_grant"]),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=field_of(RoleGrant, lambda w: w.extra["spare_grant"], "revoked_at"),
    ),
    "organisations:end_membership": Page(
        kwargs=pk(lambda w: w.extra["colleague_membership"]),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=field_of(Membership, lambda w: w.extra["colleague_membership"], "ended_at"),
    ),
    "accounts:resend_invitation": Page(
        kwargs=pk(lambda w: w.extra["invitation"]),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=field_of(Invitation, lambda w: w.extra["invitation"], "token_hash"),
    ),
    "accounts:cancel_invitation": Page(
        kwargs=pk(lambda w: w.extra["invitation"]),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=field_of(Invitation, lambda w: w.extra["invitation"], "cancelled_at"),
    ),
    # Cohorts: the lead's pages -------------------------------------------------------------
    "cohorts:cohort_list": Page(get=LEAD_ONLY),
    "cohorts:cohort_create": Page(
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        data=lambda w: cohort_form(w, number=40, name="A new cohort", framework=Framework.objects.get(version=1).pk),
        probe=count(lambda w: Cohort.objects.all()),
    ),
    "cohorts:cohort_detail": Page(kwargs=number(SA), get=LEAD_ONLY),
    "cohorts:cohort_edit": Page(
        kwargs=number(SA),
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        data=lambda w: cohort_form(w, name="Renamed by the lead"),
        probe=field_of(Cohort, lambda w: w.cohorts[SA], "name", "signatory_name"),
    ),
    "cohorts:phase_move": Page(
        kwargs=number(SA),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        data=lambda w: {"to": "enrolment", "reason": "The deadline was announced too early."},
        probe=field_of(Cohort, lambda w: w.cohorts[SA], "phase"),
    ),
    "cohorts:timeline_edit": Page(
        kwargs=number(SA),
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        data=lambda w: {"title": "Extra workshop", "kind": "other", "date": w.cohort(SA).start_date.isoformat()},
        probe=count(lambda w: Milestone.objects.filter(cohort=w.cohorts[SA])),
    ),
    "cohorts:timeline_reset": Page(
        kwargs=number(SA),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=count(lambda w: Milestone.objects.filter(cohort=w.cohorts[SA])),
    ),
    "cohorts:milestone_edit": Page(
        kwargs=lambda w, role: {"number": w.number(SA), "pk": w.extra["milestone"].pk},
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        data=lambda w: {"title": "Site visit moved", "kind": "other", "date": w.extra["milestone"].date.isoformat()},
        probe=field_of(Milestone, lambda w: w.extra["milestone"], "title"),
    ),
    "cohorts:milestone_remove": Page(
        kwargs=lambda w, role: {"number": w.number(SA), "pk": w.extra["milestone"].pk},
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=count(lambda w: Milestone.objects.filter(cohort=w.cohorts[SA])),
    ),
    "cohorts:enrol": Page(
        kwargs=number(SA),
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        data=lambda w: {"organisations": [w.organisations["C"].pk]},
        probe=count(lambda w: Enrolment.objects.filter(cohort=w.cohorts[SA])),
    ),
    "assessments:cohort_table": Page(kwargs=number(SA), get=LEAD_ONLY),
    "cohorts:enrolment_detail": Page(kwargs=enrolment(SA), get=LEAD_ONLY),
    "cohorts:enrolment_withdraw": Page(
        kwargs=enrolment(SA),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        data=lambda w: {"reason": "They merged with another company."},
        probe=field_of(Enrolment, lambda w: w.enrolment(SA), "status"),
    ),
    "cohorts:enrolment_extension": Page(
        kwargs=enrolment(SA),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        data=lambda w: {"until": (w.cohort(SA).self_assessment_deadline.date() + timedelta(days=10)).isoformat()},
        probe=field_of(Enrolment, lambda w: w.enrolment(SA), "extension_until"),
    ),
    "cohorts:audit_trail": Page(kwargs=number(SA), get=LEAD_ONLY),
    "cohorts:audit_csv": Page(kwargs=number(SA), get=LEAD_ONLY),
    "cohorts:enrolment_remind": Page(
        kwargs=enrolment(SA),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=count(lambda w: Reminder.objects.all()),
    ),
    # Organisations ---------------------------------------------------------------------
    "organisations:organisation_list": Page(get=LEAD_ONLY),
    "organisations:organisation_create": Page(
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        data=lambda w: {"name": "Epsilon Travel", "sector": "travel", "size": "small"},
        probe=count(lambda w: Organisation.objects.all()),
    ),
    "organisations:organisation_import": Page(
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        data=lambda w: {
            "file": SimpleUploadedFile(
                "more.csv", b"name,sector,contact_name,contact_email\nZeta Water,water,Zed,zed@zeta.example\n"
            )
        },
        probe=count(lambda w: OrganisationImport.objects.all()),
    ),
    "organisations:organisation_import_preview": Page(
        kwargs=pk(lambda w: w.extra["import"]),
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        probe=count(lambda w: Organisation.objects.all()),
    ),
    "organisations:organisation_detail": Page(kwargs=pk(lambda w: w.organisations["A"]), get=ORGANISATION_A),
    "organisations:organisation_edit": Page(
        kwargs=pk(lambda w: w.organisations["A"]),
        get=ORGANISATION_A,
        post=ORGANISATION_A,
        data=lambda w: {"name": "Alpha Water Services", "sector": "water", "contact_email": "hello@alpha.example"},
        probe=field_of(Organisation, lambda w: w.organisations["A"], "name"),
    ),
    "organisations:member_invite": Page(
        kwargs=pk(lambda w: w.organisations["A"]),
        get=ORGANISATION_A,
        post=ORGANISATION_A,
        data=lambda w: {"email": "new-colleague@alpha.example", "role": "contributor"},
        probe=count(lambda w: Invitation.objects.all()),
    ),
    "organisations:member_role": Page(
        kwargs=lambda w, role: {"pk": w.organisations["A"].pk, "membership_pk": w.extra["colleague_membership"].pk},
        get=ORGANISATION_A_ACTION_GET,
        post=ORGANISATION_A,
        data=lambda w: {"role": "admin"},
        probe=field_of(Membership, lambda w: w.extra["colleague_membership"], "role"),
    ),
    "organisations:member_remove": Page(
        kwargs=lambda w, role: {"pk": w.organisations["A"].pk, "membership_pk": w.extra["colleague_membership"].pk},
        get=ORGANISATION_A_ACTION_GET,
        post=ORGANISATION_A,
        probe=field_of(Membership, lambda w: w.extra["colleague_membership"], "ended_at"),
    ),
    "portal:organisation_export": Page(
        kwargs=pk(lambda w: w.organisations["A"]), get=expect(403, lead=OK, member_b=404)
    ),
    "portal:organisation_erase": Page(
        kwargs=pk(lambda w: w.organisations["A"]),
        get=expect(403, lead=OK, member_b=404),
        post=expect(403, lead=OK, member_b=404),
        # Erasing is refused while A takes part in a cohort: A has withdrawn from them all here.
        prepare=lambda w: Enrolment.objects.filter(organisation=w.organisations["A"]).update(status="withdrawn"),
        data=lambda w: {"confirm_name": "Alpha Water", "reason": "E-mail from Alpha's admin, 3 March."},
        probe=field_of(Organisation, lambda w: w.organisations["A"], "name", "contact_email"),
    ),
    # Applications ------------------------------------------------------------------------
    "cohorts:apply": Page(
        get=expect(403, no_role=OK),
        post=expect(403, no_role=OK),
        data=lambda w: {
            "organisation_name": "Omega Finance",
            "sector": "finance",
            "size": "large",
            "motivation": "To learn from the water companies.",
        },
        probe=count(lambda w: Application.objects.all()),
    ),
    "cohorts:application_list": Page(get=LEAD_ONLY),
    # Someone else's application: only the lead (and its applicant) may know it exists.
    "cohorts:application_detail": Page(kwargs=pk(lambda w: w.extra["application"]), get=expect(404, lead=OK)),
    "cohorts:application_accept": Page(
        kwargs=pk(lambda w: w.extra["application"]),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=field_of(Application, lambda w: w.extra["application"], "status"),
    ),
    "cohorts:application_decline": Page(
        kwargs=pk(lambda w: w.extra["application"]),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        data=lambda w: {"reason": "The cohort is full."},
        probe=field_of(Application, lambda w: w.extra["application"], "status"),
    ),
    # Shortlisting (cohort 22) ---------------------------------------------------------------
    "judging:shortlist": Page(kwargs=number(SHORTLISTING), get=LEAD_ONLY),
    "judging:shortlist_top": Page(
        kwargs=number(SHORTLISTING),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        data=lambda w: {"n": 2},
        probe=field_of(Enrolment, lambda w: w.enrolment(SHORTLISTING), "status"),
    ),
    "judging:shortlist_select": Page(
        kwargs=enrolment(SHORTLISTING),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=field_of(Enrolment, lambda w: w.enrolment(SHORTLISTING), "status"),
    ),
    "judging:shortlist_unselect": Page(
        kwargs=enrolment(SHORTLISTING, "B"),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=field_of(Enrolment, lambda w: w.enrolment(SHORTLISTING, "B"), "status"),
    ),
    "judging:shortlist_announce": Page(
        kwargs=number(SHORTLISTING),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=count(lambda w: AuditEvent.objects.filter(action="shortlist.announced")),
    ),
    # Results: the lead's (final in cohort 24; finalising in cohort 23) ---------------------------
    "results:cohort": Page(kwargs=number(FINAL), get=LEAD_ONLY),
    "results:finalise": Page(
        kwargs=number(JUDGING),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        data=lambda w: {"confirm_missing": "on", "open_seen": _digest(_open_scorecards(w))},
        probe=count(lambda w: ResultSnapshot.objects.filter(cohort=w.cohorts[JUDGING])),
    ),
    "results:reopen": Page(
        kwargs=number(FINAL),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        data=lambda w: {"reason": "A judge's scores were entered against the wrong finalist."},
        probe=field_of(ResultSnapshot, lambda w: w.extra["snapshot"], "status"),
    ),
    "results:csv": Page(kwargs=number(FINAL), get=LEAD_ONLY),
    "results:scores_csv": Page(kwargs=number(FINAL), get=LEAD_ONLY),
    "results:finalist": Page(kwargs=enrolment(FINAL), get=LEAD_ONLY),
    "results:finalist_chart": Page(kwargs=enrolment(FINAL), get=LEAD_ONLY),
    "results:cohort_chart": Page(kwargs=lambda w, role: {"number": w.number(FINAL), "chart": "totals"}, get=LEAD_ONLY),
    # Results: the organisation's ---------------------------------------------------------
    # Judges and people with no role are not members of anything: 403, as for the lead's pages.
    "results:my_results": Page(kwargs=number(FINAL), get=expect(403, member_a=OK, member_b=OK, lead=OK)),
    "results:organisation": Page(kwargs=enrolment(FINAL), get=ORGANISATION_A),
    "results:organisation_chart": Page(
        kwargs=lambda w, role: {"number": w.number(FINAL), "pk": w.enrolment(FINAL).pk, "chart": "scores"},
        get=ORGANISATION_A,
    ),
    # Judging: the lead's (cohort 23) ----------------------------------------------------------
    "judging:panel": Page(
        kwargs=number(JUDGING),
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        data=lambda w: {"judge": w.users["judge_spare"].pk},
        probe=count(lambda w: CohortJudge.objects.filter(cohort=w.cohorts[JUDGING])),
    ),
    "judging:panel_invite": Page(
        kwargs=number(JUDGING),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        data=lambda w: {"email": "new-judge@matrix.example"},
        probe=count(lambda w: Invitation.objects.all()),
    ),
    "judging:panel_remove": Page(
        kwargs=lambda w, role: {"number": w.number(JUDGING), "pk": w.extra["seats"][JUDGE_FREE].pk},
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        data=lambda w: {"reason": "Unavailable on the presentation day."},
        probe=field_of(CohortJudge, lambda w: w.extra["seats"][JUDGE_FREE], "removed_at"),
    ),
    "judging:assignments": Page(kwargs=number(JUDGING), get=LEAD_ONLY),
    "judging:assignments_run": Page(
        kwargs=number(JUDGING),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=count(lambda w: Assignment.objects.active().filter(cohort=w.cohorts[JUDGING])),
    ),
    "judging:assignment_add": Page(
        kwargs=number(JUDGING),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        data=lambda w: {"judge": w.users[JUDGE_FREE].pk, "enrolment": w.enrolment(JUDGING).pk},
        probe=count(lambda w: Assignment.objects.active().filter(cohort=w.cohorts[JUDGING])),
    ),
    "judging:assignment_remove": Page(
        kwargs=lambda w, role: {"number": w.number(JUDGING), "pk": w.assignment(JUDGE_A).pk},
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=field_of(Assignment, lambda w: w.assignment(JUDGE_A), "removed_at"),
    ),
    "judging:dashboard": Page(kwargs=number(JUDGING), get=LEAD_ONLY),
    "judging:remind": Page(
        kwargs=lambda w, role: {"number": w.number(JUDGING), "judge_pk": w.users[JUDGE_A].pk},
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=count(lambda w: Reminder.objects.all()),
    ),
    # Judging: a judge's conflicts (the cohort's panel only) ---------------------------------------
    "judging:conflicts": Page(
        kwargs=number(JUDGING),
        get=ON_THE_PANEL,
        post=ON_THE_PANEL,
        data=lambda w: {
            "organisation": w.organisations["B"].pk,
            "relationship": "client",
            "note": "They are a client of my consultancy.",
        },
        probe=count(lambda w: ConflictDeclaration.objects.all()),
    ),
    # Self-assessment (A's, cohort 21, open) ------------------------------------------------------
    "assessments:start": Page(
        kwargs=lambda w, role: {"enrolment_pk": w.enrolment(SA).pk}, get=expect(404, member_a=OK, lead=OK)
    ),
    "assessments:overview": Page(kwargs=assessment(SA), get=ASSESSMENT_A),
    "assessments:criterion": Page(
        kwargs=assessment(SA, code="Q1"),
        get=ASSESSMENT_A,
        # Without JavaScript: the lead is sent back with "You cannot change this self-assessment."
        post=expect(404, lead=REFUSED, member_a=OK),
        data=lambda w: {"level": "2", "base_level": "3"},
        probe=lambda w: w.response(SA, "Q1").level,
    ),
    "assessments:autosave": Page(
        kwargs=assessment(SA, code="Q1"),
        get=NOT_A_GET,
        post={**ANSWER_A, ANON: 401},  # a visitor's typing is kept for after log-in
        data=lambda w: {
            "field": "narrative",
            "narrative": "Rewritten narrative.",
            "base_narrative": w.response(SA, "Q1").narrative,
        },
        probe=lambda w: w.response(SA, "Q1").narrative,
    ),
    "assessments:review": Page(kwargs=assessment(SA), get=ASSESSMENT_A),
    "assessments:submit": Page(
        kwargs=assessment(SA),
        get=ASSESSMENT_A_ACTION_GET,
        # The lead may read the assessment but not submit it for the organisation.
        post=expect(404, lead=REFUSED, member_a=OK),
        probe=field_of(SelfAssessment, lambda w: w.assessment(SA), "status"),
    ),
    "assessments:reopen": Page(
        kwargs=assessment(SHORTLISTING),
        get=ASSESSMENT_A_ACTION_GET,
        post=expect(404, lead=OK),
        data=lambda w: {"reason": "They attached the wrong report."},
        probe=field_of(SelfAssessment, lambda w: w.assessment(SHORTLISTING), "status"),
    ),
    "assessments:print": Page(kwargs=assessment(SA), get=ASSESSMENT_A),
    "assessments:profile_chart": Page(kwargs=assessment(SA), get=ASSESSMENT_A),
    # Evidence files ---------------------------------------------------------------------------
    "assessments:evidence_upload": Page(
        kwargs=lambda w, role: {"assessment_pk": w.assessment(SA).pk, "code": "Q2"},
        get=expect(405),
        post=ANSWER_A,
        data=lambda w: {"file": SimpleUploadedFile("chart.png", png(), content_type="image/png")},
        probe=count(lambda w: EvidenceFile.objects.all()),
    ),
    "assessments:evidence_download": Page(kwargs=pk(lambda w: w.extra["evidence"]), get=ASSESSMENT_A),
    "assessments:evidence_remove": Page(
        kwargs=pk(lambda w: w.extra["evidence"]),
        get=expect(405),
        post=ANSWER_A,
        probe=count(lambda w: EvidenceFile.objects.all()),
    ),
    # Frameworks (the lead's; version 2 is an editable copy) ------------------------------------------
    "frameworks:framework_list": Page(get=LEAD_ONLY),
    "frameworks:framework_detail": Page(kwargs=version(), get=LEAD_ONLY),
    "frameworks:framework_copy": Page(
        kwargs=version(),
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        data=lambda w: {"name": "Another copy"},
        probe=count(lambda w: Framework.objects.all()),
    ),
    "frameworks:framework_edit": Page(
        kwargs=version(),
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        data=lambda w: {"name": "Renamed version", "description": "For 2028."},
        probe=field_of(Framework, lambda w: w.extra["framework"], "name"),
    ),
    "frameworks:criterion_create": Page(
        kwargs=version(),
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        data=lambda w: CRITERION_FORM,
        probe=count(lambda w: Criterion.objects.filter(framework=w.extra["framework"])),
    ),
    "frameworks:criterion_edit": Page(
        kwargs=version(pk=lambda w: w.extra["criterion"]),
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        data=lambda w: {**CRITERION_FORM, "pillar": w.extra["criterion"].pillar, "code": w.extra["criterion"].code},
        probe=field_of(Criterion, lambda w: w.extra["criterion"], "title"),
    ),
    "frameworks:criterion_remove": Page(
        kwargs=version(pk=lambda w: w.extra["criterion"]),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=count(lambda w: Criterion.objects.filter(framework=w.extra["framework"])),
    ),
    "frameworks:kpi_create": Page(
        kwargs=version(pk=lambda w: w.extra["criterion"]),
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        data=lambda w: {"name": "Complaints per 1,000 contacts", "unit": "", "direction": "lower"},
        probe=count(lambda w: KPI.objects.filter(criterion__framework=w.extra["framework"])),
    ),
    "frameworks:kpi_edit": Page(
        kwargs=version(pk=lambda w: w.extra["kpi"]),
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        data=lambda w: {"name": "Renamed KPI", "unit": "%", "direction": "higher"},
        probe=field_of(KPI, lambda w: w.extra["kpi"], "name"),
    ),
    "frameworks:kpi_remove": Page(
        kwargs=version(pk=lambda w: w.extra["kpi"]),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=count(lambda w: KPI.objects.filter(criterion__framework=w.extra["framework"])),
    ),
    # Scorecards (cohort 23; each judge asks for their own assignment to A) -----------------------------
    "judging:scorecard_list": Page(get=JUDGES),
    "judging:scorecard": Page(
        kwargs=own_assignment,
        get=SCORECARD_A,
        post=SCORECARD_A,
        data=lambda w: {"code": "Q1", "score": "3", "base_score": "7"},
        probe=lambda w: w.scorecard(JUDGE_A).entries.get(criterion__code="Q1").score,
    ),
    "judging:scorecard_autosave": Page(
        kwargs=own_assignment,
        get=NOT_A_GET,
        post=expect(404, anon=401, judge_a=OK),
        data=lambda w: {
            "code": "Q2",
            "field": "comment",
            "comment": "Changed my mind.",
            "base_comment": "Consistent across channels.",
        },
        probe=lambda w: w.scorecard(JUDGE_A).entries.get(criterion__code="Q2").comment,
    ),
    "judging:scorecard_review": Page(kwargs=own_assignment, get=SCORECARD_A),
    "judging:scorecard_submit": Page(
        kwargs=own_assignment,
        get=expect(404, judge_a=405),
        post=SCORECARD_A,
        probe=lambda w: w.scorecard(JUDGE_A).status,
    ),
    # The lead's view of a submitted scorecard; anyone else signed in is told it does not exist.
    "judging:scorecard_unlock": Page(
        kwargs=lambda w, role: {"assignment_pk": w.assignment("judge_other").pk},
        get=expect(404, lead=OK),
        post=expect(404, lead=OK),
        data=lambda w: {"reason": "Scores for P2 and P3 were swapped."},
        probe=lambda w: w.scorecard("judge_other").status,
    ),
    # Documents (cohort 24) ------------------------------------------------------------------
    "documents:cohort_documents": Page(kwargs=number(FINAL), get=LEAD_ONLY),
    "documents:generate": Page(
        kwargs=number(FINAL),
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=count(lambda w: DocumentBatch.objects.all()),
    ),
    "documents:retry": Page(
        kwargs=lambda w, role: {"number": w.number(FINAL), "pk": w.extra["award_report"].pk},
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=field_of(Document, lambda w: w.extra["award_report"], "status"),
    ),
    "documents:issue_certificate": Page(
        kwargs=lambda w, role: {"number": w.number(FINAL), "enrolment": w.enrolment(FINAL, "B").pk},
        get=LEAD_ACTION_GET,
        post=LEAD_ONLY,
        probe=count(lambda w: Certificate.objects.filter(status="valid")),
    ),
    "documents:reissue_certificate": Page(
        kwargs=lambda w, role: {"number": w.number(FINAL), "serial": w.extra["certificate"].serial},
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        data=lambda w: {"organisation_name": "Alpha Water plc", "reason": "The name was wrong."},
        probe=field_of(Certificate, lambda w: w.extra["certificate"], "status"),
    ),
    "documents:revoke_certificate": Page(
        kwargs=lambda w, role: {"number": w.number(FINAL), "serial": w.extra["certificate"].serial},
        get=LEAD_ONLY,
        post=LEAD_ONLY,
        data=lambda w: {"reason": "Awarded in error."},
        probe=field_of(Certificate, lambda w: w.extra["certificate"], "status"),
    ),
    "documents:download": Page(
        kwargs=pk(lambda w: w.extra["certificate_document"]), get=expect(403, lead=OK, member_a=OK, member_b=404)
    ),
    "documents:my_documents": Page(get=expect(403, lead=OK, member_a=OK, member_b=OK)),
    # The public check, by the form or the QR code's link (/v/<code>/): open to everyone and
    # exempt from the MFA set-up redirect. Its POST changes nothing (it only looks up), so it
    # is fuzzed rather than probed.
    "documents:verify": Page(get=expect(OK, anon=OK, lead_no_mfa=OK, judge_no_mfa=OK)),
    "documents:verify_code": Page(
        kwargs=lambda w, role: {"code": w.extra["certificate"].code},
        get=expect(OK, anon=OK, lead_no_mfa=OK, judge_no_mfa=OK),
    ),
}


def _open_scorecards(w):
    return results.gather(w.cohort(JUDGING)).open_scorecards


# Not the portal's own pages, and why -------------------------------------------------------
#
# allauth's account pages (sign in and out, sign-up, e-mail, password, two-factor set-up)
# are allauth's, tested there and in tests/accounts; they are open to everyone by design and
# exempt from the MFA redirect (accounts/middleware.py). The Django admin checks staff status
# and the same rules permissions (is_programme_lead) itself; test_admin_is_for_leads_only
# below checks its front door.
# moved_admin: permanent redirects to the admin pages of models that changed app
# (tests/core/test_settings_and_pages.py); the admin checks who may see them.
EXCLUDED_NAMESPACES = {"admin", "moved_admin"}
EXCLUDED_NAMES = {
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",
    "account_reauthenticate",
    "account_email",
    "account_email_verification_sent",
    "account_change_password",
    "account_set_password",
    "account_reset_password",
    "account_confirm_login_code",
    "account_confirm_email",
    "account_reset_password_from_key_done",
    "account_reset_password_from_key",
    "account_reset_password_done",
    "mfa_index",
    "mfa_authenticate",
    "mfa_reauthenticate",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
}

# Objects of another cohort (or version) named in a URL: the lead gets 404.
CROSS_COHORT = {
    "cohorts:enrolment_detail": lambda w: {"number": w.number(SA), "pk": w.enrolment(JUDGING).pk},
    "cohorts:milestone_edit": lambda w: {
        "number": w.number(JUDGING),
        "pk": w.extra["milestone"].pk,
    },
    "results:finalist": lambda w: {"number": w.number(FINAL), "pk": w.enrolment(CLOSED).pk},
    "results:organisation": lambda w: {"number": w.number(FINAL), "pk": w.enrolment(JUDGING).pk},
    "judging:panel_remove": lambda w: {"number": w.number(FINAL), "pk": w.extra["seats"][JUDGE_A].pk},
    "judging:assignment_remove": lambda w: {"number": w.number(FINAL), "pk": w.assignment(JUDGE_A).pk},
    "judging:shortlist_select": lambda w: {"number": w.number(SHORTLISTING), "pk": w.enrolment(SA).pk},
    # An editable version, with a criterion or KPI of version 1 in the URL.
    "frameworks:criterion_edit": lambda w: {
        "version": w.extra["framework"].version,
        "pk": Criterion.objects.get(framework__version=1, code="Q1").pk,
    },
    "frameworks:criterion_remove": lambda w: {
        "version": w.extra["framework"].version,
        "pk": Criterion.objects.get(framework__version=1, code="Q1").pk,
    },
    "frameworks:kpi_edit": lambda w: {
        "version": w.extra["framework"].version,
        "pk": KPI.objects.filter(criterion__framework__version=1).first().pk,
    },
    "frameworks:kpi_remove": lambda w: {
        "version": w.extra["framework"].version,
        "pk": KPI.objects.filter(criterion__framework__version=1).first().pk,
    },
    "cohorts:enrolment_remind": lambda w: {"number": w.number(SA), "pk": w.enrolment(JUDGING).pk},
    "documents:retry": lambda w: {"number": w.number(JUDGING), "pk": w.extra["award_report"].pk},
    "documents:issue_certificate": lambda w: {"number": w.number(FINAL), "enrolment": w.enrolment(JUDGING).pk},
    "documents:reissue_certificate": lambda w: {"number": w.number(JUDGING), "serial": w.extra["certificate"].serial},
    "documents:revoke_certificate": lambda w: {"number": w.number(JUDGING), "serial": w.extra["certificate"].serial},
    "frameworks:kpi_create": lambda w: {
        "version": w.extra["framework"].version,
        "pk": Criterion.objects.get(framework__version=1, code="Q1").pk,
    },
}
