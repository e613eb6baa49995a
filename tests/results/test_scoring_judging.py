"""The scoring contract of DESIGN.md, points 1–6 and 9, against hand-worked
examples and with hypothesis."""

import itertools
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cohorts.models import EnrolmentStatus
from documents.models import Certificate
from results.scoring import (
    ACCREDITED,
    DISTINCTION,
    NOT_ACCREDITED,
    NOT_JUDGED,
    CriterionInfo,
    compute_results,
    level,
    median,
    normalise,
    rank,
)

CRITERIA = [CriterionInfo("Q1", "Q", 2.0), CriterionInfo("P1", "P", 1.0), CriterionInfo("P6", "P", 1.0)]


def results(scorecards, *, finalists=("A", "B", "C"), normalise_scores=False, criteria=CRITERIA):
    return compute_results(
        criteria=criteria,
        finalists=list(finalists),
        scorecards=scorecards,
        normalise_scores=normalise_scores,
        pass_threshold=60,
        distinction_threshold=75,
    )


def test_hand_worked_cohort_in_raw_mode():
    cohort = results(
        {
            ("J1", "A"): {"Q1": 8, "P1": 6, "P6": 7},
            ("J2", "A"): {"Q1": 6, "P1": 10, "P6": 7},
            ("J1", "B"): {"Q1": 9, "P1": 8, "P6": 9},
            ("J2", "B"): {"Q1": 9, "P1": 8, "P6": 9},
        }
    )
    a, b, c = cohort.finalists["A"], cohort.finalists["B"], cohort.finalists["C"]

    # A: means Q1 7, P1 8, P6 7 → T = 10·(2·7 + 8 + 7)/4 = 72.5; P = 75; Q = 70.
    assert a.means == {"Q1": 7.0, "P1": 8.0, "P6": 7.0}
    assert (a.total, a.p_total, a.q_total) == (72.5, 75.0, 70.0)
    assert (a.rank, a.level, a.moderation, a.judges) == (2, ACCREDITED, ["P1"], 2)
    # B: means 9, 8, 9 → T = 10·(18 + 8 + 9)/4 = 87.5; P = 85; Q = 90.
    assert (b.total, b.p_total, b.q_total, b.rank, b.level, b.moderation) == (87.5, 85.0, 90.0, 1, DISTINCTION, [])
    # C has no submitted scorecard: no result.
    assert (c.judged, c.total, c.rank, c.level) == (False, None, None, NOT_JUDGED)
    assert (cohort.winners, cohort.best_people, cohort.best_quality) == (["B"], ["B"], ["B"])


def test_ties_on_the_total_are_broken_by_the_q_total_then_shared():
    criteria = [CriterionInfo("Q1", "Q", 1.0), CriterionInfo("P1", "P", 1.0)]
    cohort = results(
        {
            ("J1", "X"): {"Q1": 10, "P1": 0},  # T 50, Q 100
            ("J1", "Y"): {"Q1": 0, "P1": 10},  # T 50, Q 0
            ("J1", "Z"): {"Q1": 10, "P1": 0},  # T 50, Q 100
            ("J1", "W"): {"Q1": 9, "P1": 9},  # T 90
        },
        finalists=("X", "Y", "Z", "W"),
        criteria=criteria,
    )

    assert {f: r.rank for f, r in cohort.finalists.items()} == {"W": 1, "X": 2, "Z": 2, "Y": 4}
    assert cohort.winners == ["W"]
    assert sorted(cohort.best_quality) == ["X", "Z"]  # equal values share an award
    assert cohort.best_people == ["Y"]


def test_equal_ranks_run_1_2_2_4():
    assert rank({"a": (80, 50), "b": (70, 50), "c": (70, 50), "d": (60, 50)}) == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_values_within_1e9_count_as_equal():
    assert rank({"a": (70.0, 50.0), "b": (70.0 + 5e-10, 50.0 - 5e-10)}) == {"a": 1, "b": 1}
    # A total within 1e-9 defers to the Q total, even when it is slightly higher.
    assert rank({"a": (70.0 + 5e-10, 40.0), "b": (70.0, 60.0)}) == {"b": 1, "a": 2}


def test_levels_at_the_thresholds():
    def at(total):
        return level(total, pass_threshold=60, distinction_threshold=75)

    assert [at(t) for t in (75.0, 75 - 5e-10, 74.99, 60.0, 60 - 5e-10, 59.999, 0.0, 100.0)] == [
        DISTINCTION,
        DISTINCTION,
        ACCREDITED,
        ACCREDITED,
        ACCREDITED,
        NOT_ACCREDITED,
        NOT_ACCREDITED,
        DISTINCTION,
    ]


def test_normalisation_rescales_each_judge_to_the_cohort():
    # J1 scores 2 and 4 (mean 3, sd 1); J2 scores 6 and 8 (mean 7, sd 1).
    # All scores: mean 5, population sd √5. Each judge's lower score is z = −1.
    normalised = normalise({("J1", "A"): {"C": 2}, ("J1", "B"): {"C": 4}, ("J2", "A"): {"C": 6}, ("J2", "B"): {"C": 8}})

    low, high = 5 - math.sqrt(5), 5 + math.sqrt(5)
    assert normalised[("J1", "A")]["C"] == pytest.approx(low)
    assert normalised[("J2", "A")]["C"] == pytest.approx(low)
    assert normalised[("J1", "B")]["C"] == pytest.approx(high)
    assert normalised[("J2", "B")]["C"] == pytest.approx(high)


def test_a_judge_with_one_constant_score_is_shifted_to_the_cohort_mean():
    # J3 gives 5 everywhere (sd 0): s' = s − mean_j + mean_all. All scores: 2, 4, 5, 5 → mean 4.
    normalised = normalise({("J1", "A"): {"C": 2}, ("J1", "B"): {"C": 4}, ("J3", "A"): {"C": 5}, ("J3", "B"): {"C": 5}})

    assert normalised[("J3", "A")]["C"] == 4.0
    assert normalised[("J3", "B")]["C"] == 4.0


def test_normalised_scores_are_clipped_to_0_10():
    # N gives nine 0s and one 10 (mean 1, sd 3: the 10 is z = 3); M gives 5 everywhere.
    # All: mean 3, sd √8.5 ≈ 2.915, so the 10 becomes 3 + 3·2.915 ≈ 11.7, clipped to 10.
    cards = {("N", f"F{i}"): {"C": 0} for i in range(9)}
    cards[("N", "F9")] = {"C": 10}
    cards.update({("M", f"F{i}"): {"C": 5} for i in range(10)})

    normalised = normalise(cards)

    assert normalised[("N", "F9")]["C"] == 10.0
    assert normalised[("N", "F0")]["C"] == pytest.approx(3 - math.sqrt(8.5) / 3)


def test_normalised_mode_uses_normalised_scores_but_flags_on_raw_ones():
    cohort = results(
        {
            ("J1", "A"): {"Q1": 2, "P1": 2, "P6": 2},
            ("J1", "B"): {"Q1": 4, "P1": 4, "P6": 4},
            ("J2", "A"): {"Q1": 6, "P1": 6, "P6": 6},
            ("J2", "B"): {"Q1": 8, "P1": 8, "P6": 8},
        },
        finalists=("A", "B"),
        normalise_scores=True,
    )

    a, b = cohort.finalists["A"], cohort.finalists["B"]
    assert a.total == pytest.approx(10 * (5 - math.sqrt(5)))
    assert b.total == pytest.approx(10 * (5 + math.sqrt(5)))
    assert a.moderation == ["Q1", "P1", "P6"]  # raw 2 against 6
    assert cohort.normalised is True


def test_a_scorecard_missing_a_criterion_is_refused():
    with pytest.raises(ValueError, match="has no score for P6"):
        results({("J1", "A"): {"Q1": 5, "P1": 5}})


def test_median():
    assert (median([3, 1, 2]), median([4, 1, 3, 2]), median([])) == (2, 2.5, None)


# Properties ---------------------------------------------------------------------

scores = st.integers(min_value=0, max_value=10)
card = st.fixed_dictionaries({"Q1": scores, "P1": scores, "P6": scores})
cohorts = st.dictionaries(
    st.tuples(st.sampled_from(["J1", "J2", "J3", "J4"]), st.sampled_from(["A", "B", "C", "D", "E"])),
    card,
    min_size=1,
    max_size=20,
)


@settings(max_examples=200)
@given(cohorts, st.booleans())
def test_totals_are_on_0_100_and_ranks_follow_the_totals(scorecards, normalise_scores):
    cohort = results(scorecards, finalists=("A", "B", "C", "D", "E", "F"), normalise_scores=normalise_scores)
    judged = [r for r in cohort.finalists.values() if r.judged]

    assert cohort.finalists["F"].judged is False
    for r in judged:
        assert 0 <= r.total <= 100 and 0 <= r.p_total <= 100 and 0 <= r.q_total <= 100
    ordered = sorted(judged, key=lambda r: r.rank)
    assert ordered[0].rank == 1
    for higher, lower in itertools.pairwise(ordered):
        assert higher.total >= lower.total - 1e-9
        if lower.rank == higher.rank:
            assert abs(higher.total - lower.total) <= 1e-9
    assert set(cohort.winners) == {r.finalist for r in judged if r.rank == 1}


@given(cohorts)
def test_normalised_scores_stay_on_0_10(scorecards):
    for card_scores in normalise(scorecards).values():
        assert all(0 <= s <= 10 for s in card_scores.values())


@given(cohorts, st.randoms())
def test_results_do_not_depend_on_the_order_of_scorecards(scorecards, random):
    shuffled = list(scorecards.items())
    random.shuffle(shuffled)

    first = results(scorecards, normalise_scores=True)
    second = results(dict(shuffled), normalise_scores=True)

    for finalist, result in first.finalists.items():
        other = second.finalists[finalist]
        assert result.rank == other.rank
        assert (result.total is None and other.total is None) or result.total == pytest.approx(other.total)


@given(cohorts, st.floats(min_value=0.1, max_value=50))
def test_scaling_every_weight_changes_nothing(scorecards, factor):
    scaled = [CriterionInfo(c.code, c.pillar, c.weight * factor) for c in CRITERIA]

    base, other = results(scorecards), results(scorecards, criteria=scaled)

    for finalist, result in base.finalists.items():
        if result.judged:
            assert other.finalists[finalist].total == pytest.approx(result.total)


@given(st.lists(st.floats(min_value=0, max_value=100), min_size=1, max_size=8))
def test_levels_never_go_down_as_the_total_goes_up(totals):
    order = {NOT_ACCREDITED: 0, ACCREDITED: 1, DISTINCTION: 2}
    levels = [order[level(t, pass_threshold=60, distinction_threshold=75)] for t in sorted(totals)]
    assert levels == sorted(levels)


def test_a_total_that_lands_on_a_threshold_through_floating_point_arithmetic():
    # Weights 0.1, 0.2, 0.7 and scores 0, 9, 6: exactly 60, but the floating-point
    # sum gives 59.99999999999999. Within 1e-9, it counts as 60: accredited.
    criteria = [CriterionInfo("Q1", "Q", 0.1), CriterionInfo("P1", "P", 0.2), CriterionInfo("P6", "P", 0.7)]

    result = results({("J1", "A"): {"Q1": 0, "P1": 9, "P6": 6}}, finalists=("A",), criteria=criteria).finalists["A"]

    assert result.total != 60 and abs(result.total - 60) < 1e-9
    assert result.level == ACCREDITED


def test_two_judges_of_different_harshness_with_normalisation_off_and_on():
    # Harsh H scores A 3 and B 5; lenient L scores A 7 and B 9 (one criterion).
    # H sees a bigger gap than L; raw means: A 5, B 7.
    criteria = [CriterionInfo("Q1", "Q", 1.0)]
    cards = {("H", "A"): {"Q1": 3}, ("H", "B"): {"Q1": 5}, ("L", "A"): {"Q1": 7}, ("L", "B"): {"Q1": 9}}

    raw = results(cards, finalists=("A", "B"), criteria=criteria)
    normalised = results(cards, finalists=("A", "B"), criteria=criteria, normalise_scores=True)

    assert (raw.finalists["A"].total, raw.finalists["B"].total) == (50.0, 70.0)
    # All scores: mean 6, population sd √5; each judge's scores are z = ∓1.
    assert normalised.finalists["A"].total == pytest.approx(10 * (6 - math.sqrt(5)))
    assert normalised.finalists["B"].total == pytest.approx(10 * (6 + math.sqrt(5)))
    assert normalised.scores_used[("H", "A")]["Q1"] == pytest.approx(normalised.scores_used[("L", "A")]["Q1"])


@given(cohorts, st.sampled_from(["J1", "J2", "J3", "J4"]), st.integers(-3, 3))
def test_with_normalisation_a_judges_constant_shift_changes_no_rank(scorecards, judge, shift):
    shifted = {
        key: ({code: s + shift for code, s in card.items()} if key[0] == judge else dict(card))
        for key, card in scorecards.items()
    }
    if any(not 0 <= s <= 10 for card in shifted.values() for s in card.values()):
        return  # the shift must keep every score on 0–10
    before, after = normalise(scorecards), normalise(shifted)
    if any(v in (0.0, 10.0) for n in (before, after) for card in n.values() for v in card.values()):
        return  # clipping would bend the scale: the property holds for unclipped scores

    first = results(scorecards, finalists=("A", "B", "C", "D", "E"), normalise_scores=True)
    second = results(shifted, finalists=("A", "B", "C", "D", "E"), normalise_scores=True)

    assert {f: r.rank for f, r in first.finalists.items()} == {f: r.rank for f, r in second.finalists.items()}


@given(cohorts, st.permutations(["J1", "J2", "J3", "J4"]))
def test_renaming_judges_changes_nothing(scorecards, names):
    mapping = dict(zip(["J1", "J2", "J3", "J4"], names, strict=True))
    renamed = {(mapping[j], f): card for (j, f), card in scorecards.items()}

    for mode in (False, True):
        first, second = results(scorecards, normalise_scores=mode), results(renamed, normalise_scores=mode)
        assert {f: (r.rank, r.level) for f, r in first.finalists.items()} == {
            f: (r.rank, r.level) for f, r in second.finalists.items()
        }


ROOT = Path(__file__).resolve().parents[2]


def test_scoring_imports_no_django():
    # Pure: plain values in and out, testable and reusable without the framework (STYLE.md).
    program = "import sys, results.scoring; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True, cwd=ROOT)

    assert run.stdout.strip() == "[]"


def test_enrolment_and_certificate_levels_take_the_scoring_values():
    assert [EnrolmentStatus.ACCREDITED_DISTINCTION, EnrolmentStatus.ACCREDITED, EnrolmentStatus.NOT_ACCREDITED] == [
        DISTINCTION,
        ACCREDITED,
        NOT_ACCREDITED,
    ]
    assert EnrolmentStatus.NOT_JUDGED == NOT_JUDGED
    assert [Certificate.Level.DISTINCTION, Certificate.Level.ACCREDITED] == [DISTINCTION, ACCREDITED]
