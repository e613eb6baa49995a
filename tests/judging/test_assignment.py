from hypothesis import given, settings
from hypothesis import strategies as st

from judging.assignment import plan_assignments


def loads(plan, judges):
    load = plan.load()
    return [load.get(j, 0) for j in judges]


def test_every_finalist_gets_k_judges_and_loads_are_even():
    plan = plan_assignments(finalists=list("ABCDE"), judges=["j1", "j2", "j3", "j4"], k=3)

    assert all(len(judges) == 3 for judges in plan.judges_of.values())
    assert sorted(loads(plan, ["j1", "j2", "j3", "j4"])) == [3, 4, 4, 4]  # 15 seats over 4 judges
    assert plan.shortfalls == {}


def test_conflicts_are_respected():
    plan = plan_assignments(finalists=["A", "B"], judges=["j1", "j2", "j3"], k=2, conflicts={("j1", "A"), ("j2", "B")})

    assert "j1" not in plan.judges_of["A"]
    assert "j2" not in plan.judges_of["B"]
    assert sorted(plan.judges_of["A"]) == ["j2", "j3"]
    assert sorted(plan.judges_of["B"]) == ["j1", "j3"]


def test_the_impossible_case_says_which_finalist_and_why():
    plan = plan_assignments(finalists=["A", "B"], judges=["j1", "j2", "j3"], k=3, conflicts={("j1", "A"), ("j2", "A")})

    assert plan.judges_of["A"] == ["j3"]
    assert plan.shortfalls == {"A": "needs 3 judges but only 1 of the 3 on the panel can judge it (2 conflicted)"}
    assert sorted(plan.judges_of["B"]) == ["j1", "j2", "j3"]


def test_existing_assignments_are_kept_and_fixed_ones_never_move():
    plan = plan_assignments(
        finalists=["A", "B", "C"],
        judges=["j1", "j2"],
        k=1,
        existing=[("j1", "A"), ("j1", "B"), ("j1", "C")],
        fixed=[("j1", "A"), ("j1", "B"), ("j1", "C")],
    )

    assert plan.judges_of == {"A": ["j1"], "B": ["j1"], "C": ["j1"]}


def test_balancing_moves_work_away_from_an_overloaded_judge():
    plan = plan_assignments(
        finalists=["A", "B", "C", "D"], judges=["j1", "j2"], k=1, existing=[("j1", f) for f in "ABCD"]
    )

    assert sorted(loads(plan, ["j1", "j2"])) == [2, 2]


def test_balancing_uses_chains_when_no_direct_move_exists():
    # j1 holds A and B; j3 can take neither, but j2 can take A and hand C to j3.
    plan = plan_assignments(
        finalists=["A", "B", "C"],
        judges=["j1", "j2", "j3"],
        k=1,
        existing=[("j1", "A"), ("j1", "B"), ("j2", "C")],
        conflicts={("j3", "A"), ("j3", "B")},
    )

    assert sorted(loads(plan, ["j1", "j2", "j3"])) == [1, 1, 1]
    assert plan.judges_of["C"] == ["j3"]


@st.composite
def panels(draw):
    judges = [f"j{i}" for i in range(draw(st.integers(1, 8)))]
    finalists = [f"F{i}" for i in range(draw(st.integers(1, 12)))]
    k = draw(st.integers(1, 4))
    conflicts = draw(st.sets(st.tuples(st.sampled_from(judges), st.sampled_from(finalists)), max_size=15))
    return judges, finalists, k, conflicts


def _could_take_over(plan, judges, conflicts, heavy, light):
    """Whether some finalist of `heavy` could go to `light` directly."""
    return any(
        heavy in assigned and light not in assigned and (light, f) not in conflicts
        for f, assigned in plan.judges_of.items()
    )


@settings(max_examples=300, deadline=None)
@given(panels())
def test_random_panels_respect_conflicts_fill_seats_and_balance(panel):
    judges, finalists, k, conflicts = panel

    plan = plan_assignments(finalists=finalists, judges=judges, k=k, conflicts=conflicts)

    for finalist, assigned in plan.judges_of.items():
        eligible = [j for j in judges if (j, finalist) not in conflicts]
        assert len(assigned) == len(set(assigned)) == min(k, len(eligible))
        assert not any((j, finalist) in conflicts for j in assigned)
        assert (finalist in plan.shortfalls) == (len(eligible) < k)
    load = plan.load()
    for heavy in judges:
        for light in judges:
            if load.get(heavy, 0) - load.get(light, 0) >= 2:
                # Only where conflicts forbid it: no direct move is possible.
                assert not _could_take_over(plan, judges, conflicts, heavy, light)


@settings(max_examples=100, deadline=None)
@given(panels())
def test_without_conflicts_loads_differ_by_at_most_one(panel):
    judges, finalists, k, _ = panel

    plan = plan_assignments(finalists=finalists, judges=judges, k=k)

    counts = [plan.load().get(j, 0) for j in judges]
    assert max(counts) - min(counts) <= 1


def test_same_input_same_plan():
    args = {"finalists": list("ABCDEF"), "judges": ["a", "b", "c", "d"], "k": 2, "conflicts": {("a", "B")}}
    assert plan_assignments(**args).judges_of == plan_assignments(**args).judges_of


def test_k_larger_than_panel_is_a_shortfall_for_everyone():
    plan = plan_assignments(finalists=["A"], judges=["j1"], k=3)
    assert plan.shortfalls == {"A": "needs 3 judges but only 1 of the 1 on the panel can judge it"}
