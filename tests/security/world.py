"""A small but complete programme for the security tests: two organisations,
A and B, taking part in cohorts at every interesting phase, and one person
for each role the permission matrix asks about.

    cohort 21  self-assessment  A and B enrolled; A's assessment complete but
                                not submitted, with an evidence file on Q1
    cohort 22  shortlisting     A submitted; B submitted and a finalist
    cohort 23  judging          A and B finalists (submitted self-assessments);
                                panel: judge_a (assigned to A, every score
                                given, not submitted), judge_free (not
                                assigned), judge_conflicted (was assigned to A,
                                then declared a conflict with it), judge_removed
                                (was assigned to A, then taken off the panel),
                                judge_other (submitted scorecards for A and B)
    cohort 24  results, final   A and B finalists judged by judge_other
    cohort 25  enrolment        an application waits for the lead's decision
    cohort 26  closed           A and B enrolled

Everything is built through the services where the rule matters (conflicts,
removal from the panel, finalising) and with direct writes where it does not
(scores, answers), to keep the build quick.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from accounts import services as account_services
from accounts.models import Role, RoleGrant, User
from assessments.models import EvidenceFile, Response, SelfAssessment
from assessments.services import evidence as evidence_services
from assessments.services.self_assessment import ensure_assessment
from cohorts.models import Application, Cohort, Enrolment, EnrolmentStatus, Milestone, Phase
from cohorts.services import applications as application_services
from core.models import Notification, OutboundEmail
from documents import services as document_services
from documents.models import Certificate, Document
from frameworks import services as framework_services
from frameworks.models import KPI, Criterion, Framework
from judging.models import Assignment, CohortJudge, Scorecard
from judging.services import panel as judging_services
from judging.services.scorecards import ensure_scorecard
from organisations import imports as import_services
from organisations.models import Membership, Organisation, OrganisationImport
from results import services as results_services
from tests.factories import OrganisationFactory, UserFactory, make_cohort, make_judge, make_lead, with_mfa

ANON = "anon"
MEMBER_A = "member_a"
MEMBER_B = "member_b"
JUDGE_A = "judge_a"
JUDGE_FREE = "judge_free"
JUDGE_CONFLICTED = "judge_conflicted"
JUDGE_REMOVED = "judge_removed"
LEAD = "lead"
LEAD_NO_MFA = "lead_no_mfa"
JUDGE_NO_MFA = "judge_no_mfa"
NO_ROLE = "no_role"
SUPERUSER_NO_MFA = "superuser_no_mfa"  # passes every rule, so must use two-factor like a lead
STAFF = "staff"  # staff status (with two-factor) and no role: it grants nothing

# The people the matrix asks about, in the order their requests are made.
ROLES = (
    ANON,
    MEMBER_A,
    MEMBER_B,
    JUDGE_A,
    JUDGE_FREE,
    JUDGE_CONFLICTED,
    JUDGE_REMOVED,
    LEAD,
    LEAD_NO_MFA,
    JUDGE_NO_MFA,
    NO_ROLE,
    SUPERUSER_NO_MFA,
    STAFF,
)

SA, SHORTLISTING, JUDGING, FINAL, ENROLMENT, CLOSED = "sa", "shortlisting", "judging", "final", "enrolment", "closed"
COHORT_NUMBERS = {SA: 21, SHORTLISTING: 22, JUDGING: 23, FINAL: 24, ENROLMENT: 25, CLOSED: 26}

CSV = (
    b"name,sector,size,contact_name,contact_email\n"
    b"Imported Rail,travel,large,Ira Import,ira@imported.example\n"
    b"Imported Telecom,telecoms,small,Tam Import,tam@imported.example\n"
)


@contextmanager
def rolled_back():
    """Everything done inside is undone at the end (a savepoint inside a test)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (11, 79, 108)).save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    cohorts: dict[str, Cohort] = field(default_factory=dict)
    enrolments: dict[tuple[str, str], Enrolment] = field(default_factory=dict)
    assessments: dict[tuple[str, str], SelfAssessment] = field(default_factory=dict)
    # (cohort key, judge key, organisation key) → assignment, ended ones included
    assignments: dict[tuple[str, str, str], Assignment] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)
    media: object = None  # the folder of the world's files

    def user(self, role: str) -> User | None:
        return self.users.get(role)

    def cohort(self, key: str) -> Cohort:
        return Cohort.objects.get(pk=self.cohorts[key].pk)

    def number(self, key: str) -> int:
        return self.cohorts[key].number

    def enrolment(self, cohort: str, organisation: str = "A") -> Enrolment:
        return self.enrolments[(cohort, organisation)]

    def assessment(self, cohort: str, organisation: str = "A") -> SelfAssessment:
        return self.assessments[(cohort, organisation)]

    def assignment(self, judge: str, organisation: str = "A", cohort: str = JUDGING) -> Assignment:
        return self.assignments[(cohort, judge, organisation)]

    def scorecard(self, judge: str, organisation: str = "A", cohort: str = JUDGING) -> Scorecard:
        return Scorecard.objects.get(assignment=self.assignment(judge, organisation, cohort))

    def response(self, cohort: str = SA, code: str = "Q1", organisation: str = "A") -> Response:
        return Response.objects.get(assessment=self.assessment(cohort, organisation), criterion__code=code)


def _enrol(world: World, cohort_key: str, organisation_key: str, status=EnrolmentStatus.ENROLLED) -> Enrolment:
    enrolment = Enrolment.objects.create(
        cohort=world.cohorts[cohort_key], organisation=world.organisations[organisation_key], status=status
    )
    world.enrolments[(cohort_key, organisation_key)] = enrolment
    return enrolment


def _answer_everything(assessment: SelfAssessment, *, submitted: bool) -> None:
    Response.objects.filter(assessment=assessment).update(level=3, narrative="We measure what customers value.")
    if submitted:
        assessment.status = SelfAssessment.Status.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment.save(update_fields=["status", "submitted_at"])


def _assessment(world: World, cohort_key: str, organisation_key: str, *, complete: bool, submitted: bool):
    assessment = ensure_assessment(enrolment=world.enrolment(cohort_key, organisation_key))
    if complete:
        _answer_everything(assessment, submitted=submitted)
    world.assessments[(cohort_key, organisation_key)] = assessment
    return assessment


def _assign(world: World, cohort_key: str, judge_key: str, organisation_key: str, *, score=None, submitted=False):
    cohort = world.cohorts[cohort_key]
    assignment = Assignment.objects.create(
        cohort=cohort, judge=world.users[judge_key], enrolment=world.enrolment(cohort_key, organisation_key)
    )
    scorecard = ensure_scorecard(assignment=assignment)
    if score is not None:
        scorecard.entries.update(score=score, comment="Consistent across channels.")
    if submitted:
        scorecard.status = Scorecard.Status.SUBMITTED
        scorecard.submitted_at = timezone.now()
        scorecard.save(update_fields=["status", "submitted_at"])
    world.assignments[(cohort_key, judge_key, organisation_key)] = assignment
    return assignment


def build_world(media_root) -> World:
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], MEDIA_ROOT=str(media_root)
    ):
        return _build_world()


def _build_world() -> World:
    world = World()
    this_month = date.today().replace(day=1)

    # People ---------------------------------------------------------------
    lead = make_lead(email="lead@matrix.example", full_name="Lena Lead")
    world.users[LEAD] = lead
    world.users[LEAD_NO_MFA] = make_lead(email="lead-no-mfa@matrix.example", full_name="Noah Nomfa", mfa=False)
    world.users[JUDGE_NO_MFA] = make_judge(email="judge-no-mfa@matrix.example", full_name="Jan Nomfa", mfa=False)
    for key, name in (
        (JUDGE_A, "Ada Assigned"),
        (JUDGE_FREE, "Fred Free"),
        (JUDGE_CONFLICTED, "Cora Conflicted"),
        (JUDGE_REMOVED, "Rex Removed"),
        ("judge_other", "Otto Other"),
        ("judge_spare", "Sam Spare"),
    ):
        world.users[key] = make_judge(email=f"{key.replace('_', '-')}@matrix.example", full_name=name)
    world.users[NO_ROLE] = UserFactory(email="nobody@matrix.example", full_name="Nina Norole")
    world.users[SUPERUSER_NO_MFA] = UserFactory(
        email="root@matrix.example", full_name="Rudi Root", is_staff=True, is_superuser=True
    )
    world.users[STAFF] = with_mfa(UserFactory(email="staff@matrix.example", full_name="Stef Staff", is_staff=True))
    world.users["applicant"] = UserFactory(email="applicant@matrix.example", full_name="Abe Applicant")

    alpha = OrganisationFactory(name="Alpha Water", contact_email="contact@alpha.example")
    beta = OrganisationFactory(name="Beta Energy", sector="energy")
    world.organisations.update(A=alpha, B=beta, C=OrganisationFactory(name="Gamma Retail", sector="retail"))
    for key, organisation, email in (
        (MEMBER_A, alpha, "amy@alpha.example"),
        (MEMBER_B, beta, "bo@beta.example"),
    ):
        user = UserFactory(email=email, full_name=f"{email.split('@')[0].title()} Member")
        Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.ADMIN)
        world.users[key] = user
    colleague = UserFactory(email="cal@alpha.example", full_name="Cal Colleague")
    world.extra["colleague_membership"] = Membership.objects.create(
        user=colleague, organisation=alpha, role=Membership.Role.CONTRIBUTOR
    )
    world.users["colleague"] = colleague

    # Cohorts ----------------------------------------------------------------
    for key, number in COHORT_NUMBERS.items():
        world.cohorts[key] = make_cohort(number=number, start_date=this_month, name=f"Matrix cohort {number}")

    def to_phase(key, phase):
        Cohort.objects.filter(pk=world.cohorts[key].pk).update(phase=phase)
        world.cohorts[key].refresh_from_db()

    # 21: self-assessment open.
    to_phase(SA, Phase.SELF_ASSESSMENT)
    _enrol(world, SA, "A")
    _enrol(world, SA, "B")
    _assessment(world, SA, "A", complete=True, submitted=False)
    _assessment(world, SA, "B", complete=False, submitted=False)
    world.extra["evidence"] = evidence_services.add_evidence(
        response=world.response(SA, "Q1", "A"),
        upload=SimpleUploadedFile("dashboard.png", png(), content_type="image/png"),
        actor=world.users[MEMBER_A],
    )
    world.extra["milestone"] = Milestone.objects.create(
        cohort=world.cohorts[SA], kind=Milestone.Kind.OTHER, title="Site visit", date=this_month.replace(day=20)
    )

    # 22: shortlisting.
    to_phase(SHORTLISTING, Phase.SHORTLISTING)
    _enrol(world, SHORTLISTING, "A", EnrolmentStatus.SUBMITTED)
    _enrol(world, SHORTLISTING, "B", EnrolmentStatus.FINALIST)
    _assessment(world, SHORTLISTING, "A", complete=True, submitted=True)
    _assessment(world, SHORTLISTING, "B", complete=True, submitted=True)

    # 23: judging.
    to_phase(JUDGING, Phase.JUDGING)
    for key in ("A", "B"):
        _enrol(world, JUDGING, key, EnrolmentStatus.FINALIST)
        _assessment(world, JUDGING, key, complete=True, submitted=True)
    judging = world.cohorts[JUDGING]
    seats = {
        key: CohortJudge.objects.create(cohort=judging, judge=world.users[key])
        for key in (JUDGE_A, JUDGE_FREE, JUDGE_CONFLICTED, JUDGE_REMOVED, "judge_other")
    }
    world.extra["seats"] = seats
    _assign(world, JUDGING, JUDGE_A, "A", score=7)
    _assign(world, JUDGING, "judge_other", "A", score=6, submitted=True)
    _assign(world, JUDGING, "judge_other", "B", score=5, submitted=True)
    _assign(world, JUDGING, JUDGE_CONFLICTED, "A", score=4)
    _assign(world, JUDGING, JUDGE_REMOVED, "A", score=8)
    judging_services.declare_conflict(
        cohort=judging,
        judge=world.users[JUDGE_CONFLICTED],
        organisation=alpha,
        relationship="supplier",
        note="Supplied their workforce planning software until last year.",
    )
    judging_services.remove_judge(seat=seats[JUDGE_REMOVED], reason="Moved abroad.", actor=lead)

    # 24: results final.
    to_phase(FINAL, Phase.JUDGING)
    for key in ("A", "B"):
        _enrol(world, FINAL, key, EnrolmentStatus.FINALIST)
        _assessment(world, FINAL, key, complete=True, submitted=True)
    CohortJudge.objects.create(cohort=world.cohorts[FINAL], judge=world.users["judge_other"])
    _assign(world, FINAL, "judge_other", "A", score=8, submitted=True)
    _assign(world, FINAL, "judge_other", "B", score=6, submitted=True)
    world.extra["snapshot"] = results_services.finalise(cohort=world.cohorts[FINAL], actor=lead)
    world.cohorts[FINAL].refresh_from_db()

    # 25: enrolment, with an application waiting.
    to_phase(ENROLMENT, Phase.ENROLMENT)
    world.extra["application"] = application_services.apply(
        cohort=world.cohorts[ENROLMENT],
        applicant=world.users["applicant"],
        organisation_name="Delta Telecom",
        sector="telecoms",
        size="medium",
        motivation="We want to compare our coaching with the best.",
    )

    # 26: closed.
    to_phase(CLOSED, Phase.CLOSED)
    _enrol(world, CLOSED, "A", EnrolmentStatus.ACCREDITED)
    _enrol(world, CLOSED, "B", EnrolmentStatus.NOT_ACCREDITED)

    # Things the lead's pages act on --------------------------------------------
    world.extra["framework"] = framework_services.copy_framework(
        source=Framework.objects.get(version=1), actor=lead, name="Matrix draft version"
    )
    world.extra["criterion"] = Criterion.objects.filter(framework=world.extra["framework"]).order_by("position").first()
    world.extra["kpi"] = KPI.objects.filter(criterion__framework=world.extra["framework"]).order_by("pk").first()
    world.extra["invitation"], world.extra["invitation_token"] = account_services.invite(
        email="newcomer@matrix.example", role=Role.JUDGE, invited_by=lead
    )
    world.extra["spare_grant"] = RoleGrant.objects.get(user=world.users["judge_spare"], role=Role.JUDGE)
    world.extra["failed_email"] = OutboundEmail.objects.create(
        template="invitation",
        to="bounced@matrix.example",
        subject="You are invited",
        body_text="Hello",
        status=OutboundEmail.Status.FAILED,
        attempts=5,
        last_error="550 mailbox unavailable",
        failed_at=timezone.now(),
    )
    world.extra["import"] = import_services.upload(data=CSV, file_name="organisations.csv", cohort=None, actor=lead)
    world.extra["notification"] = Notification.objects.create(
        user=world.users[MEMBER_A], title="Your results are out", link="/organisation/"
    )

    # Documents of cohort 24: finalising issued A and B their certificates and
    # queued the PDFs (whose jobs never run here). A's certificate PDF is made;
    # the award report failed; B's certificate was revoked.
    certificate_a = Certificate.objects.get(enrolment=world.enrolment(FINAL, "A"), status=Certificate.Status.VALID)
    document_a = Document.objects.get(certificate=certificate_a)
    document_a.file.save("matrix-certificate.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    document_a.status = Document.Status.DONE
    document_a.save(update_fields=["file", "status"])
    award_report = Document.objects.get(cohort=world.cohorts[FINAL], kind=Document.Kind.AWARD_REPORT)
    award_report.status, award_report.error = Document.Status.FAILED, "WeasyPrint ran out of memory."
    award_report.save(update_fields=["status", "error"])
    certificate_b = Certificate.objects.get(enrolment=world.enrolment(FINAL, "B"), status=Certificate.Status.VALID)
    document_services.revoke(certificate=certificate_b, actor=lead, reason="Issued to the wrong legal entity.")
    world.extra.update(
        certificate=certificate_a, certificate_document=document_a, award_report=award_report, revoked=certificate_b
    )
    assert Application.objects.filter(status=Application.Status.PENDING).count() == 1
    assert OrganisationImport.objects.count() == 1
    assert EvidenceFile.objects.count() == 1
    return world
