"""Server-side locks: wherever a page hides a button, a direct POST is
refused and changes nothing. The world is tests/security/world.py's."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import EvidenceFile, Response, SelfAssessment
from assessments.services import self_assessment
from cohorts.models import Cohort, Enrolment, EnrolmentStatus, Milestone, Phase
from core.models import AuditEvent, OutboundEmail
from documents.models import Certificate, Document
from judging.models import Assignment, CohortJudge, ConflictDeclaration, Scorecard, ScoreEntry
from results.models import ResultSnapshot
from tests.security.tally import CountingClient
from tests.security.world import CLOSED, FINAL, JUDGE_A, JUDGING, LEAD, MEMBER_A, MEMBER_B, SA, SHORTLISTING, png

pytestmark = pytest.mark.django_db


def client_for(world, role) -> CountingClient:
    client = CountingClient("locks")
    client.force_login(world.user(role))
    return client


def trail():
    """The audit trail and the outbox: a refused POST adds to neither."""
    return AuditEvent.objects.count(), OutboundEmail.objects.count()


def messages_of(response) -> list[str]:
    """The messages this request added (earlier ones wait in the session)."""
    return [str(message) for message in response.wsgi_request._messages._queued_messages]


def assessment_state(assessment):
    assessment = SelfAssessment.objects.get(pk=assessment.pk)
    answers = list(
        Response.objects.filter(assessment=assessment).order_by("pk").values_list("level", "narrative", "version")
    )
    evidence = list(EvidenceFile.objects.filter(response__assessment=assessment).values_list("pk", flat=True))
    return assessment.status, assessment.submitted_at, answers, evidence, trail()


def scorecard_state(scorecard):
    scorecard = Scorecard.objects.get(pk=scorecard.pk)
    entries = list(ScoreEntry.objects.filter(scorecard=scorecard).order_by("pk").values_list("score", "comment"))
    return scorecard.status, scorecard.submitted_at, scorecard.strengths, entries, trail()


# A submitted self-assessment ----------------------------------------------------------------


def test_a_submitted_self_assessment_refuses_answers_evidence_and_a_second_submission(world):
    assessment = world.assessment(SA)
    self_assessment.submit(assessment=assessment, actor=world.user(MEMBER_A))
    evidence = world.extra["evidence"]
    member = client_for(world, MEMBER_A)
    before = assessment_state(assessment)

    autosave = member.post(
        f"/assessments/{assessment.pk}/criteria/Q1/save/",
        {"field": "narrative", "narrative": "Changed after submitting.", "base_narrative": "We measure"},
        HTTP_HX_REQUEST="true",
    )
    plain = member.post(f"/assessments/{assessment.pk}/criteria/Q1/", {"level": "5", "base_level": "3"})
    upload = member.post(
        f"/assessments/{assessment.pk}/criteria/Q2/evidence/",
        {"file": SimpleUploadedFile("late.png", png(), content_type="image/png")},
    )
    removal = member.post(f"/evidence/{evidence.pk}/remove/")
    again = member.post(f"/assessments/{assessment.pk}/submit/")

    assert autosave.status_code == 403
    assert "is locked" in autosave.content.decode()
    assert [plain.status_code, upload.status_code, removal.status_code, again.status_code] == [302] * 4
    assert "is locked" in " ".join(messages_of(plain) + messages_of(again))
    assert assessment_state(assessment) == before


def test_a_member_cannot_change_a_self_assessment_once_the_cohort_has_moved_on(world):
    """Shortlisting: the assessment is submitted and the phase is over."""
    assessment = world.assessment(SHORTLISTING)
    member = client_for(world, MEMBER_A)
    before = assessment_state(assessment)

    responses = [
        member.post(
            f"/assessments/{assessment.pk}/criteria/Q1/save/",
            {"field": "level", "level": "5", "base_level": "3"},
            HTTP_HX_REQUEST="true",
        ),
        member.post(f"/assessments/{assessment.pk}/criteria/Q1/", {"narrative": "Late.", "base_narrative": ""}),
        member.post(f"/assessments/{assessment.pk}/submit/"),
    ]

    assert [r.status_code for r in responses] == [403, 302, 302]
    assert assessment_state(assessment) == before


def test_reopening_a_self_assessment_is_for_the_lead_and_needs_a_reason(world):
    assessment = world.assessment(SHORTLISTING)
    before = assessment_state(assessment)

    by_member = client_for(world, MEMBER_A).post(f"/assessments/{assessment.pk}/reopen/", {"reason": "Please."})
    without_reason = client_for(world, LEAD).post(f"/assessments/{assessment.pk}/reopen/", {"reason": "  "})

    assert by_member.status_code == 404
    assert without_reason.status_code == 302
    assert messages_of(without_reason) == ["Give a reason for reopening the self-assessment."]
    assert assessment_state(assessment) == before


# A submitted scorecard ------------------------------------------------------------------


def test_a_submitted_scorecard_refuses_scores_comments_remarks_and_a_second_submission(world):
    assignment = world.assignment(JUDGE_A)
    judge = client_for(world, JUDGE_A)
    submitted = judge.post(f"/judging/{assignment.pk}/submit/")
    scorecard = world.scorecard(JUDGE_A)
    before = scorecard_state(scorecard)

    autosave = judge.post(
        f"/judging/{assignment.pk}/save/",
        {"code": "Q1", "field": "score", "score": "10", "base_score": "7"},
        HTTP_HX_REQUEST="true",
    )
    remarks = judge.post(
        f"/judging/{assignment.pk}/save/",
        {"field": "strengths", "strengths": "Added later.", "base_strengths": ""},
        HTTP_HX_REQUEST="true",
    )
    plain = judge.post(f"/judging/{assignment.pk}/", {"code": "Q1", "score": "0", "base_score": "7"})
    again = judge.post(f"/judging/{assignment.pk}/submit/")

    assert submitted.status_code == 302 and before[0] == Scorecard.Status.SUBMITTED
    assert [autosave.status_code, remarks.status_code] == [403, 403]
    assert "is locked" in autosave.content.decode()
    assert [plain.status_code, again.status_code] == [302, 302]
    assert "is locked" in " ".join(messages_of(plain) + messages_of(again))
    assert scorecard_state(scorecard) == before


def test_only_the_lead_unlocks_a_scorecard_and_only_with_a_reason(world):
    scorecard = world.scorecard("judge_other")
    path = f"/judging/{scorecard.assignment_id}/unlock/"
    before = scorecard_state(scorecard)

    by_judge = client_for(world, "judge_other").post(path, {"reason": "Let me change it."})
    without_reason = client_for(world, LEAD).post(path, {"reason": ""})

    assert by_judge.status_code == 404
    assert messages_of(without_reason) == ["Give a reason for unlocking the scorecard: the judge is told."]
    assert scorecard_state(scorecard) == before


# Frozen results ------------------------------------------------------------------------


def results_state(world):
    cohort = world.cohort(FINAL)
    snapshots = list(
        ResultSnapshot.objects.filter(cohort=cohort).order_by("number").values_list("number", "status", "data")
    )
    statuses = list(Enrolment.objects.filter(cohort=cohort).order_by("pk").values_list("status", flat=True))
    scores = list(
        ScoreEntry.objects.filter(scorecard__assignment__cohort=cohort).order_by("pk").values_list("score", "comment")
    )
    cards = list(Scorecard.objects.filter(assignment__cohort=cohort).order_by("pk").values_list("status", flat=True))
    panel = list(CohortJudge.objects.filter(cohort=cohort).values_list("pk", "removed_at"))
    assignments = list(Assignment.objects.filter(cohort=cohort).values_list("pk", "removed_at"))
    return cohort.phase, snapshots, statuses, scores, cards, panel, assignments, trail()


def test_scores_cannot_be_changed_once_the_results_are_final(world):
    assignment = world.assignment("judge_other", "A", FINAL)
    judge = client_for(world, "judge_other")
    before = results_state(world)

    autosave = judge.post(
        f"/judging/{assignment.pk}/save/",
        {"code": "Q1", "field": "score", "score": "2", "base_score": "8"},
        HTTP_HX_REQUEST="true",
    )
    plain = judge.post(f"/judging/{assignment.pk}/", {"code": "Q1", "score": "2", "base_score": "8"})
    unlock = client_for(world, LEAD).post(f"/judging/{assignment.pk}/unlock/", {"reason": "Typo in Q1."})

    assert autosave.status_code == 403
    assert [plain.status_code, unlock.status_code] == [302, 302]
    assert messages_of(unlock) == [
        f"Scorecards can be unlocked only while cohort {world.number(FINAL)} is in its judging phase."
    ]
    assert results_state(world) == before


def test_final_results_are_not_finalised_again_nor_judging_changed(world):
    number = world.number(FINAL)
    lead = client_for(world, LEAD)
    before = results_state(world)

    responses = {
        "finalise": lead.post(f"/cohorts/{number}/results/finalise/"),
        "add judge": lead.post(f"/cohorts/{number}/panel/", {"judge": world.user(JUDGE_A).pk}),
        "run assignment": lead.post(f"/cohorts/{number}/assignments/run/"),
        "add assignment": lead.post(
            f"/cohorts/{number}/assignments/add/",
            {"judge": world.user("judge_other").pk, "enrolment": world.enrolment(FINAL).pk},
        ),
        "remove assignment": lead.post(
            f"/cohorts/{number}/assignments/{world.assignment('judge_other', 'A', FINAL).pk}/remove/"
        ),
    }
    conflict = client_for(world, "judge_other").post(
        f"/cohorts/{number}/conflicts/",
        {"organisation": world.organisations["A"].pk, "relationship": "client", "note": "After the results."},
    )

    assert {name: r.status_code for name, r in responses.items()} == {
        "finalise": 302,
        "add judge": 200,  # the form again, with the refusal
        "run assignment": 302,
        "add assignment": 200,
        "remove assignment": 302,
    }
    assert "Results can be finalised only in the judging phase" in messages_of(responses["finalise"])[0]
    assert conflict.status_code == 200
    assert not ConflictDeclaration.objects.filter(cohort=world.cohorts[FINAL]).exists()
    assert results_state(world) == before


def test_results_are_reopened_only_by_the_lead_and_only_with_a_reason(world):
    path = f"/cohorts/{world.number(FINAL)}/results/reopen/"
    before = results_state(world)

    refused = {
        MEMBER_A: client_for(world, MEMBER_A).post(path, {"reason": "We disagree."}).status_code,
        JUDGE_A: client_for(world, JUDGE_A).post(path, {"reason": "A mistake."}).status_code,
        "judge_other": client_for(world, "judge_other").post(path, {"reason": "A mistake."}).status_code,
    }
    without_reason = client_for(world, LEAD).post(path, {"reason": " "})

    assert refused == {MEMBER_A: 403, JUDGE_A: 403, "judge_other": 403}
    assert without_reason.status_code == 302
    assert messages_of(without_reason) == ["Give a reason for reopening the results."]
    assert results_state(world) == before

    reopened = client_for(world, LEAD).post(path, {"reason": "Q1 scores were entered against the wrong finalist."})

    assert reopened.status_code == 302
    assert ResultSnapshot.objects.get(pk=world.extra["snapshot"].pk).status == ResultSnapshot.Status.SUPERSEDED
    assert Cohort.objects.get(pk=world.cohorts[FINAL].pk).phase == Phase.JUDGING


# A closed cohort -------------------------------------------------------------------------


def closed_state(world):
    cohort = world.cohort(CLOSED)
    fields = Cohort.objects.filter(pk=cohort.pk).values().get()
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort).order_by("pk").values_list("status", "extension_until", "withdrawn_at")
    )
    panel = list(CohortJudge.objects.filter(cohort=cohort).values_list("pk", flat=True))
    return fields, enrolments, panel, trail()


def cohort_form(cohort, **changes):
    data = {
        "number": cohort.number,
        "name": cohort.name,
        "sponsor": cohort.sponsor,
        "signatory_name": cohort.signatory_name,
        "signatory_title": cohort.signatory_title,
        "start_date": cohort.start_date.isoformat(),
        "time_zone": cohort.time_zone,
        "framework": cohort.framework_id,
        "judges_per_finalist": cohort.judges_per_finalist,
        "pass_threshold": str(cohort.pass_threshold),
        "distinction_threshold": str(cohort.distinction_threshold),
        "retention_days": cohort.retention_days,
    }
    if cohort.normalise_scores:
        data["normalise_scores"] = "on"
    return {**data, **changes}


def test_a_closed_cohort_refuses_new_settings_enrolments_panel_changes_and_phase_jumps(world):
    cohort = world.cohort(CLOSED)
    number = cohort.number
    lead = client_for(world, LEAD)
    enrolment = world.enrolment(CLOSED)
    before = closed_state(world)

    settings = lead.post(f"/cohorts/{number}/edit/", cohort_form(cohort, name="Renamed", pass_threshold="50"))
    enrol = lead.post(f"/cohorts/{number}/enrol/", {"organisations": [world.organisations["C"].pk]})
    moves = [
        lead.post(f"/cohorts/{number}/phase/", {"to": to, "reason": "Trying."})
        for to in ("draft", "judging", "closed", "archived")
    ]
    back_without_reason = lead.post(f"/cohorts/{number}/phase/", {"to": "results", "reason": ""})
    panel = lead.post(f"/cohorts/{number}/panel/", {"judge": world.user(JUDGE_A).pk})
    withdraw = lead.post(f"/cohorts/{number}/enrolments/{enrolment.pk}/withdraw/", {"reason": "Too late."})
    extension = lead.post(
        f"/cohorts/{number}/enrolments/{enrolment.pk}/extension/",
        {"until": (cohort.self_assessment_deadline.date() + timedelta(days=400)).isoformat()},
    )

    # The form's fields are disabled for a closed cohort, so posted values are ignored (the
    # service refuses them too: tests/cohorts/test_programme.py).
    assert settings.status_code == 302
    assert enrol.status_code == 200
    assert [r.status_code for r in moves] == [302] * 4
    assert [messages_of(r)[0] for r in moves] == [
        "A cohort in closed cannot move to draft: phases move one step at a time.",
        "A cohort in closed cannot move to judging: phases move one step at a time.",
        "A cohort in closed cannot move to closed: phases move one step at a time.",
        "Unknown phase.",
    ]
    assert messages_of(back_without_reason) == ["Give a reason for moving the cohort back."]
    assert panel.status_code == 200
    assert messages_of(withdraw) == ["Results are out: the enrolment can no longer be withdrawn."]
    assert messages_of(extension) == [
        f"Cohort {number} is in closed: extensions can be given or taken away only until the self-assessment "
        "phase ends."
    ]
    assert closed_state(world) == before


def test_a_closed_cohort_keeps_its_evidence_for_as_long_as_the_lead_says(world):
    """The one setting that still changes: the retention period (counted from closing)."""
    cohort = world.cohort(CLOSED)

    response = client_for(world, LEAD).post(f"/cohorts/{cohort.number}/edit/", cohort_form(cohort, retention_days=365))

    assert response.status_code == 302
    assert Cohort.objects.get(pk=cohort.pk).retention_days == 365


# Extensions and withdrawals in the wrong phase ---------------------------------------------


@pytest.mark.parametrize("cohort", [SHORTLISTING, JUDGING, FINAL, CLOSED])
def test_no_extension_once_self_assessment_is_over(world, cohort):
    enrolment = world.enrolment(cohort)
    number = world.number(cohort)
    before = (Enrolment.objects.get(pk=enrolment.pk).extension_until, trail())

    response = client_for(world, LEAD).post(
        f"/cohorts/{number}/enrolments/{enrolment.pk}/extension/",
        {"until": (world.cohort(cohort).self_assessment_deadline.date() + timedelta(days=400)).isoformat()},
    )

    assert response.status_code == 302
    assert "extensions can be given or taken away only until the self-assessment phase ends" in messages_of(response)[0]
    assert (Enrolment.objects.get(pk=enrolment.pk).extension_until, trail()) == before


@pytest.mark.parametrize("cohort", [FINAL, CLOSED])
def test_no_withdrawal_once_the_results_are_out(world, cohort):
    enrolment = world.enrolment(cohort)
    before = (Enrolment.objects.get(pk=enrolment.pk).status, trail())

    response = client_for(world, LEAD).post(
        f"/cohorts/{world.number(cohort)}/enrolments/{enrolment.pk}/withdraw/", {"reason": "Changed their mind."}
    )

    assert messages_of(response) == ["Results are out: the enrolment can no longer be withdrawn."]
    assert (Enrolment.objects.get(pk=enrolment.pk).status, trail()) == before


def test_a_withdrawn_organisation_is_not_withdrawn_twice_nor_extended(world):
    enrolment = world.enrolment(SA, "B")
    lead = client_for(world, LEAD)
    lead.post(f"/cohorts/{world.number(SA)}/enrolments/{enrolment.pk}/withdraw/", {"reason": "Merged."})
    before = (Enrolment.objects.filter(pk=enrolment.pk).values().get(), trail())

    again = lead.post(f"/cohorts/{world.number(SA)}/enrolments/{enrolment.pk}/withdraw/", {"reason": "Again."})
    extension = lead.post(
        f"/cohorts/{world.number(SA)}/enrolments/{enrolment.pk}/extension/",
        {"until": (world.cohort(SA).self_assessment_deadline.date() + timedelta(days=5)).isoformat()},
    )

    assert messages_of(again) == ["This organisation has already withdrawn."]
    assert messages_of(extension) == ["This organisation has withdrawn."]
    assert (Enrolment.objects.filter(pk=enrolment.pk).values().get(), trail()) == before
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.WITHDRAWN


# A revoked certificate ------------------------------------------------------------------


def certificates_state(world):
    rows = list(Certificate.objects.order_by("pk").values_list("serial", "status", "revoked_at", "revocation_reason"))
    return rows, Document.objects.count(), trail()


def test_a_revoked_certificate_is_neither_reissued_nor_revoked_again(world):
    revoked = world.extra["revoked"]
    base = f"/cohorts/{world.number(FINAL)}/certificates/{revoked.serial}"
    lead = client_for(world, LEAD)
    before = certificates_state(world)

    pages = [lead.get(f"{base}/reissue/"), lead.get(f"{base}/revoke/")]
    reissue = lead.post(f"{base}/reissue/", {"organisation_name": "Beta Energy", "reason": "Lost it."})
    revoke = lead.post(f"{base}/revoke/", {"reason": "Again."})

    refusal = f"Certificate {revoked.serial} is revoked: it cannot be changed."
    assert [page.status_code for page in pages] == [302, 302]  # back to the documents page, saying why
    assert [messages_of(page) for page in pages] == [[refusal], [refusal]]
    assert [messages_of(reissue), messages_of(revoke)] == [[refusal], [refusal]]
    assert certificates_state(world) == before


def test_a_revoked_certificate_is_no_longer_the_members_to_download(world):
    document = Document.objects.get(certificate=world.extra["revoked"])

    response = client_for(world, MEMBER_B).get(reverse("documents:download", kwargs={"pk": document.pk}))

    assert response.status_code == 404


def test_a_valid_certificate_is_not_issued_twice(world):
    before = certificates_state(world)

    response = client_for(world, LEAD).post(
        f"/cohorts/{world.number(FINAL)}/certificates/issue/{world.enrolment(FINAL).pk}/"
    )

    assert messages_of(response) == ["Alpha Water already holds a valid certificate."]
    assert certificates_state(world) == before


def test_a_removed_milestone_deadline_is_refused(world):
    """The deadlines the cohort's rules depend on are moved, never removed."""
    deadline = Milestone.objects.get(cohort=world.cohorts[SA], kind=Milestone.Kind.SELF_ASSESSMENT_DEADLINE)
    before = (Milestone.objects.filter(cohort=world.cohorts[SA]).count(), trail())

    response = client_for(world, LEAD).post(f"/cohorts/{world.number(SA)}/timeline/{deadline.pk}/remove/")

    assert messages_of(response) == ["The self-assessment deadline cannot be removed; move it instead."]
    assert (Milestone.objects.filter(cohort=world.cohorts[SA]).count(), trail()) == before
