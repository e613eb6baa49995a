from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.index import level_to_score, round_half_up, self_assessment_index
from results.scoring import calibration_gaps


def test_levels_map_onto_the_judges_scale():
    assert [level_to_score(level) for level in range(1, 6)] == [0.0, 2.5, 5.0, 7.5, 10.0]
    with pytest.raises(ValueError):
        level_to_score(0)
    with pytest.raises(ValueError):
        level_to_score(6)


def test_index_hand_worked_example():
    # Q1 level 4 (7.5) weight 2; Q2 level 2 (2.5) weight 1; P1 level 3 (5.0) weight 1.
    # 10 · (2·7.5 + 1·2.5 + 1·5.0) / 4 = 10 · 22.5 / 4 = 56.25
    levels = {"Q1": 4, "Q2": 2, "P1": 3}
    weights = {"Q1": 2, "Q2": 1, "P1": 1}

    assert self_assessment_index(levels, weights) == 56.25
    assert round_half_up(56.25) == Decimal("56.3")


def test_index_ignores_criteria_not_in_the_weights_such_as_judging_only_ones():
    assert self_assessment_index({"Q1": 5, "P6": 1}, {"Q1": 1}) == 100.0


def test_index_is_none_while_a_level_is_missing():
    assert self_assessment_index({"Q1": 5, "Q2": None}, {"Q1": 1, "Q2": 1}) is None
    assert self_assessment_index({"Q1": 5}, {"Q1": 1, "Q2": 1}) is None


def test_calibration_gap_is_judged_minus_self_assessed():
    assert calibration_gaps({"Q1": 8.0, "Q2": 3.0, "P6": 9.0}, {"Q1": 3, "Q2": 2}) == {"Q1": 3.0, "Q2": 0.5}


def test_rounding_is_half_up():
    assert [str(round_half_up(v)) for v in (74.95, 74.949999, 0.05, 59.95, 100.0)] == [
        "75.0",
        "74.9",
        "0.1",
        "60.0",
        "100.0",
    ]


@given(
    st.dictionaries(
        st.sampled_from(["Q1", "Q2", "Q3", "P1", "P2"]),
        st.tuples(st.integers(1, 5), st.decimals(min_value=Decimal("0.01"), max_value=10, places=2)),
        min_size=1,
    )
)
def test_index_lies_between_the_lowest_and_highest_level(answers):
    levels = {code: level for code, (level, _) in answers.items()}
    weights = {code: float(weight) for code, (_, weight) in answers.items()}

    index = self_assessment_index(levels, weights)

    low, high = min(map(level_to_score, levels.values())), max(map(level_to_score, levels.values()))
    assert 10 * low <= index <= 10 * high
    assert 0 <= index <= 100
