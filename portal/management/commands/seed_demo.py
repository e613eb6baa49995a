"""Demo data so that a newcomer can log in as each role. Safe to run again."""

import random
from datetime import date

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, hotp_value, yield_hotp_counters_from_time
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Role, User
from assessments.models import SelfAssessment
from assessments.selectors import assessment_summaries
from assessments.services import self_assessment as assessment_services
from cohorts.models import Cohort, Enrolment, EnrolmentStatus, Phase
from cohorts.services import reminders as reminder_services
from cohorts.services.programme import create_cohort
from cohorts.services.reminders import send_due_reminders
from cohorts.timeline import add_months
from core.models import Notification
from judging.assignment import plan_assignments
from judging.models import Assignment, CohortJudge, ConflictDeclaration, Relationship, Scorecard, ScoreEntry
from judging.services import panel as judging_services
from judging.services import scorecards as scorecard_services
from organisations.models import Membership, Organisation, Sector, Size
from results import services as results_services

DEMO_PASSWORD = "pq-demo-2026"

# Fixed TOTP secrets (base32) so that the codes can be computed from this
# output or with `manage.py demo_totp EMAIL`. Demo data only, never production.
DEMO_PEOPLE = [
    {
        "email": "lead@pq-portal.test",
        "full_name": "Priya Lead",
        "role": Role.PROGRAMME_LEAD,
        "totp_secret": "PQDEMOLEADSECRETPQDEMOLEADSECRET",
    },
    {
        "email": "judge@pq-portal.test",
        "full_name": "Jonah Judge",
        "role": Role.JUDGE,
        "totp_secret": "PQDEMOJUDGESECRETPQDEMOJUDGESECR",
    },
    {
        "email": "member@severn-water.test",
        "full_name": "Morgan Member",
        "role": Role.ORGANISATION_MEMBER,
        "organisation": "Severn Valley Water",
        "totp_secret": None,
    },
]

DEMO_ORGANISATIONS = [
    {
        "name": "Severn Valley Water",
        "sector": Sector.WATER,
        "size": Size.VERY_LARGE,
        "contact_name": "Morgan Member",
        "contact_email": "member@severn-water.test",
    },
]

SPONSOR = "Clarity Analytics"

# Cohort 3: the water industry, plus a BPO whose parent sells billing
# systems to water companies. (name, size, contact name, contact e-mail)
COHORT_3_ORGANISATIONS = [
    ("Severn Valley Water", Size.VERY_LARGE, "Morgan Member", "member@severn-water.test"),
    ("Anglian Fens Water", Size.VERY_LARGE, "Aled Price", "aled.price@anglian-fens.test"),
    ("Northumbria Dales Water", Size.LARGE, "Beth Robson", "beth.robson@northumbria-dales.test"),
    ("Thames Reach Water", Size.VERY_LARGE, "Chidi Okafor", "chidi.okafor@thames-reach.test"),
    ("Pennine Water Services", Size.LARGE, "Dawn Ashworth", "dawn.ashworth@pennine-water.test"),
    ("Wessex Chalk Water", Size.LARGE, "Euan Blake", "euan.blake@wessex-chalk.test"),
    ("Cambrian Water", Size.MEDIUM, "Ffion Hughes", "ffion.hughes@cambrian-water.test"),
    ("South Downs Water", Size.LARGE, "Grace Mensah", "grace.mensah@south-downs.test"),
    ("Yorkshire Ridings Water", Size.VERY_LARGE, "Harry Firth", "harry.firth@yorkshire-ridings.test"),
    ("Mersey Basin Water", Size.LARGE, "Isla Doyle", "isla.doyle@mersey-basin.test"),
    ("Cotswold Springs Water", Size.MEDIUM, "Jack Turner", "jack.turner@cotswold-springs.test"),
    ("Kielder Water Services", Size.MEDIUM, "Kirsty Bell", "kirsty.bell@kielder-water.test"),
]
COHORT_3_BPO = (
    "Meridian Customer Services",
    Size.VERY_LARGE,
    "Liam Shah",
    "liam.shah@meridian-cs.test",
)  # its parent, Meridian Billing Systems, sells billing systems to water companies

# Cohort 4: mixed sectors.
COHORT_4_ORGANISATIONS = [
    ("High Street Home Retail", Sector.RETAIL, Size.VERY_LARGE, "Maya Patel", "maya.patel@highstreet-home.test"),
    ("Fresh Basket Grocers", Sector.RETAIL, Size.LARGE, "Noah Evans", "noah.evans@fresh-basket.test"),
    ("Northern Rail Journeys", Sector.TRAVEL, Size.VERY_LARGE, "Olivia Clarke", "olivia.clarke@northern-rail.test"),
    ("Coastline Holidays", Sector.TRAVEL, Size.MEDIUM, "Priya Nair", "priya.nair@coastline-holidays.test"),
    ("Brightside Energy", Sector.ENERGY, Size.VERY_LARGE, "Rhys Morgan", "rhys.morgan@brightside-energy.test"),
    (
        "Riverside Borough Council",
        Sector.PUBLIC_SECTOR,
        Size.LARGE,
        "Sophie Walker",
        "sophie.walker@riverside-council.test",
    ),
]

COMMENTS = {
    True: "Convincing evidence, and the results to show for it.",
    False: "The ambition is clear; the evidence of impact is still thin.",
}

NARRATIVES = {
    1: "We react to problems with {topic} as they arise. Nobody owns it yet and we do not measure it.",
    2: "We have started work on {topic}: a pilot in two teams, with first measures we review now and then.",
    3: (
        "{topic} is established across the operation. Measures are agreed, reviewed every month and acted on; "
        "our evidence pack has the dashboards and the last two quarterly reviews."
    ),
    4: (
        "{topic} is advanced: the measures drive decisions at board level, we compare ourselves with peers, "
        "and customers and colleagues see the changes. Evidence: trend reports and case studies."
    ),
    5: (
        "We lead on {topic}. Results have been sustained for three years, other organisations visit to learn "
        "from us, and external benchmarks put us in the top decile."
    ),
}

EXTRA_JUDGES = [
    ("Tom Ellis", "tom.ellis@judges.test", 3),
    ("Uma Rahman", "uma.rahman@judges.test", 3),
    ("Xavier Lowe", "xavier.lowe@judges.test", 3),
    ("Yara Haddad", "yara.haddad@judges.test", 3),
    ("Victor Hale", "victor.hale@judges.test", 4),
    ("Wendy Ng", "wendy.ng@judges.test", 4),
]


def current_totp_code(secret: str) -> str:
    counter = next(yield_hotp_counters_from_time())
    return f"{hotp_value(secret, counter):06d}"


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print how to log in as each role."

    # Demo data sends nothing: its e-mails (results published, say) go to
    # memory, after the transaction commits, and are kept as OutboundEmail rows.
    @override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    @transaction.atomic
    def handle(self, *args, **options):
        organisations = {}
        for data in DEMO_ORGANISATIONS:
            organisation, _ = Organisation.objects.update_or_create(name=data["name"], defaults=data)
            organisations[organisation.name] = organisation

        lines = []
        for person in DEMO_PEOPLE:
            user, created = User.objects.get_or_create(
                email=person["email"], defaults={"full_name": person["full_name"]}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            account_services.mark_email_verified(user)
            if person["role"] == Role.ORGANISATION_MEMBER:
                Membership.objects.get_or_create(
                    user=user,
                    organisation=organisations[person["organisation"]],
                    ended_at=None,
                    defaults={"role": Membership.Role.ADMIN},
                )
            else:
                account_services.grant_role(user=user, role=person["role"], actor=None)
            line = f"  {Role(person['role']).label:<22} {user.email:<28} password {DEMO_PASSWORD}"
            if person["totp_secret"]:
                self._ensure_totp(user, person["totp_secret"])
                line += (
                    f"\n  {'':<22} TOTP secret {person['totp_secret']} "
                    f"(code now: {current_totp_code(person['totp_secret'])}; "
                    f"later: python manage.py demo_totp {user.email})"
                )
            lines.append(line)

        self._seed_cohorts()

        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at http://127.0.0.1:8000/ as:"))
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(
            "  Cohort 3 (water): results finalised, a close race at the top (the member sees Severn's results).\n"
            "  Cohort 4 (mixed sectors): judging, with the demo judge's scorecards still open.\n"
            "  Cohort 5: open for enrolment; sign up as anyone to apply.\n"
            "  Cohort 6 (re-accreditation): self-assessment drafts in progress, Severn's among them.\n"
            "  The lead has reminded the demo judge and Severn's members: both have unread notifications.\n"
            f"  Every other demo person (organisation contacts, judges) also signs in with {DEMO_PASSWORD}."
        )

    def _seed_cohorts(self):
        """Cohort 3 finalised, cohort 4 in judging, cohort 5 open for
        enrolment, cohort 6 in self-assessment; dated from the first run so
        that the demo always has deadlines ahead; later runs leave them."""
        first_of_month = date.today().replace(day=1)
        cohort_3 = self._cohort(number=3, name="Water industry", start_date=add_months(first_of_month, -6))
        cohort_4 = self._cohort(number=4, name="Mixed sectors", start_date=add_months(first_of_month, -4))
        self._cohort(number=5, name="Open enrolment", start_date=add_months(first_of_month, 2))
        cohort_6 = self._cohort(number=6, name="Re-accreditation", start_date=add_months(first_of_month, -2))
        for name, size, contact, email in [*COHORT_3_ORGANISATIONS, COHORT_3_BPO]:
            sector = Sector.BPO if (name, size, contact, email) == COHORT_3_BPO else Sector.WATER
            self._organisation_in(cohort_3, name, sector, size, contact, email)
        for name, sector, size, contact, email in COHORT_4_ORGANISATIONS:
            self._organisation_in(cohort_4, name, sector, size, contact, email)
        for name, size, contact, email in COHORT_3_ORGANISATIONS[:3]:
            self._organisation_in(cohort_6, name, Sector.WATER, size, contact, email)
        demo_judge = User.objects.get(email="judge@pq-portal.test")
        judges = {3: [demo_judge], 4: [demo_judge]}
        for full_name, email, number in EXTRA_JUDGES:
            judge = self._person(email, full_name)
            account_services.grant_role(user=judge, role=Role.JUDGE, actor=None)
            judges[number].append(judge)
        for cohort in (cohort_3, cohort_4):
            for judge in judges[cohort.number]:
                CohortJudge.objects.get_or_create(cohort=cohort, judge=judge, removed_at=None)
        if cohort_3.phase == Phase.DRAFT:  # first run: take each cohort to where the demo needs it
            self._seed_assessments(cohort_3, submitted=True)
            self._seed_assessments(cohort_4, submitted=True)
            self._seed_assessments(cohort_6, submitted=False)
            self._seed_judging(cohort_3, finalists=6, complete=True)
            self._seed_judging(cohort_4, finalists=4, complete=False)
            Cohort.objects.filter(number=5).update(phase=Phase.ENROLMENT)
            Cohort.objects.filter(pk=cohort_6.pk).update(phase=Phase.SELF_ASSESSMENT)
            lead = User.objects.get(email="lead@pq-portal.test")
            results_services.finalise(cohort=Cohort.objects.get(pk=cohort_3.pk), actor=lead)
            self._seed_reminders(lead=lead, judge=demo_judge)
        # Whatever the daily beat job would send today (each reminder once, however often this runs).
        send_due_reminders()

    def _seed_reminders(self, *, lead, judge):
        """The lead has reminded the demo judge of their open scorecards in
        cohort 4 and Severn's members of their self-assessment in cohort 6, so
        the dashboards show when people were last reminded and the demo
        people have unread notifications (the member's older results one is
        read)."""
        judging_services.remind_judge(cohort=Cohort.objects.get(number=4), judge=judge, actor=lead)
        severn_in_6 = Enrolment.objects.get(cohort__number=6, organisation__name="Severn Valley Water")
        reminder_services.remind_organisation(enrolment=severn_in_6, actor=lead)
        member = User.objects.get(email="member@severn-water.test")
        Notification.objects.filter(user=member, template="results_published").update(read_at=timezone.now())

    def _seed_judging(self, cohort, *, finalists: int, complete: bool):
        """Finalists by self-assessment index, a conflict declared, balanced
        assignments, and scorecards from judges of visibly different
        harshness (all submitted, or some still open)."""
        summaries = assessment_summaries(cohort)
        ranked = sorted(
            cohort.enrolments.select_related("organisation"),
            key=lambda e: -(summaries[e.pk].index or 0) if e.pk in summaries else 0,
        )
        # The demo member's organisation is always a finalist, so that they see full results.
        demo = [e for e in ranked if e.organisation.name == "Severn Valley Water"]
        chosen = [*ranked[: finalists - len(demo)], *(e for e in demo if e not in ranked[: finalists - len(demo)])]
        chosen = chosen[:finalists] if len(chosen) > finalists else chosen
        Enrolment.objects.filter(pk__in=[e.pk for e in chosen]).update(status=EnrolmentStatus.FINALIST)
        panel = [seat.judge for seat in cohort.panel.filter(removed_at=None).select_related("judge")]
        conflicts = set()
        if len(panel) > 1:
            ConflictDeclaration.objects.get_or_create(
                cohort=cohort,
                judge=panel[1],
                organisation=chosen[-1].organisation,
                defaults={"relationship": Relationship.FORMER_EMPLOYER, "note": "Worked there until 2023."},
            )
            conflicts.add((panel[1].pk, chosen[-1].pk))
        plan = plan_assignments(
            finalists=[e.pk for e in chosen],
            judges=[j.pk for j in panel],
            k=min(cohort.judges_per_finalist, len(panel) - 1),
            conflicts=conflicts,
        )
        harshness = {judge.pk: offset for judge, offset in zip(panel, [0, -2, 1, 2, -1], strict=False)}
        # A close race at the top: the two strongest finalists are a whisker apart.
        quality = {e.pk: q for e, q in zip(chosen, [3.4, 3.3, 2.0, 1.0, 0.5, -0.5], strict=False)}
        Cohort.objects.filter(pk=cohort.pk).update(phase=Phase.JUDGING)
        cohort.refresh_from_db()
        for enrolment_id, judge_ids in plan.judges_of.items():
            for judge_id in judge_ids:
                assignment = Assignment.objects.create(cohort=cohort, judge_id=judge_id, enrolment_id=enrolment_id)
                card = scorecard_services.ensure_scorecard(assignment=assignment)
                open_card = not complete and judge_id == panel[0].pk
                for entry in card.entries.select_related("criterion"):
                    if open_card and entry.criterion.position > 4:
                        continue  # the demo judge has not finished these yet
                    base = 5 + quality[enrolment_id] + (entry.criterion.position % 3 - 1) * 0.5
                    entry.score = max(0, min(10, round(base + harshness[judge_id])))
                    entry.comment = COMMENTS[entry.score >= 6]
                    entry.save(update_fields=["score", "comment"])
                card.strengths = "A clear line of sight from customer feedback to team coaching."
                card.improvements = "Close the loop with customers after complaints are resolved."
                card.status = Scorecard.Status.DRAFT if open_card else Scorecard.Status.SUBMITTED
                card.submitted_at = None if open_card else timezone.now()
                card.save(update_fields=["strengths", "improvements", "status", "submitted_at"])
        if complete:
            self._close_race(cohort, leader=chosen[0], runner_up=chosen[1])

    def _close_race(self, cohort, *, leader, runner_up):
        """Nudge the runner-up's scores until they finish within a point of the leader."""
        for _ in range(60):
            results = results_services.compute(
                results_services.gather(cohort), normalise_scores=cohort.normalise_scores
            )
            gap = results.finalists[leader.pk].total - results.finalists[runner_up.pk].total
            if 0.2 <= gap <= 1.0:
                return
            entries = ScoreEntry.objects.filter(scorecard__assignment__enrolment=runner_up).order_by("score", "pk")
            if gap > 1.0:
                entry = entries.filter(score__lt=10).first()
                step = 1
            else:
                entry = entries.filter(score__gt=0).last()
                step = -1
            if entry is None:
                return
            entry.score += step
            entry.save(update_fields=["score"])

    def _seed_assessments(self, cohort, *, submitted: bool):
        """Varied maturity, the same on every run (seeded by the organisation's
        name). Submitted ones are marked directly, without receipt e-mails."""
        for enrolment in cohort.enrolments.select_related("organisation"):
            assessment = assessment_services.ensure_assessment(enrolment=enrolment)
            if assessment.responses.exclude(level=None).exists():
                continue  # seeded before
            rng = random.Random(enrolment.organisation.name)  # noqa: S311 - repeatable demo data
            maturity = rng.choice([2, 2, 3, 3, 3, 4, 4, 5])
            responses = list(assessment.responses.select_related("criterion"))
            finished = len(responses) if submitted else rng.randint(2, len(responses) - 2)
            for response in responses[:finished]:
                level = min(5, max(1, maturity + rng.choice([-1, 0, 0, 1])))
                response.level = level
                text = NARRATIVES[level].format(topic=response.criterion.title.lower())
                response.narrative = text[0].upper() + text[1:]
                response.version = 1
                response.save(update_fields=["level", "narrative", "version"])
            if submitted:
                assessment.status = SelfAssessment.Status.SUBMITTED
                assessment.submitted_at = timezone.now()
                assessment.save(update_fields=["status", "submitted_at"])
                enrolment.status = EnrolmentStatus.SUBMITTED
                enrolment.save(update_fields=["status"])

    def _cohort(self, *, number, name, start_date):
        cohort = Cohort.objects.filter(number=number).first()
        if cohort is None:
            cohort = create_cohort(
                actor=None,
                number=number,
                name=name,
                sponsor=SPONSOR,
                signatory_name="Dr Helen Price",
                signatory_title="Programme Director, P&Q accreditation",
                start_date=start_date,
                time_zone="Europe/London",
            )
        return cohort

    def _person(self, email, full_name):
        user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        account_services.mark_email_verified(user)
        return user

    def _organisation_in(self, cohort, name, sector, size, contact, email):
        organisation, _ = Organisation.objects.get_or_create(
            name=name, defaults={"sector": sector, "size": size, "contact_name": contact, "contact_email": email}
        )
        person = self._person(email, contact)
        if not Membership.objects.active().filter(user=person, organisation=organisation).exists():
            Membership.objects.create(user=person, organisation=organisation, role=Membership.Role.ADMIN)
        Enrolment.objects.get_or_create(cohort=cohort, organisation=organisation)

    def _ensure_totp(self, user, secret):
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, secret)
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
            RecoveryCodes.activate(user)
