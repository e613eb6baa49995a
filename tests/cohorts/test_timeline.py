from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from cohorts import timeline


def test_default_timeline_from_a_mid_month_start():
    planned = timeline.default_timeline(date(2027, 1, 15))

    assert [(m.kind, m.title, m.on) for m in planned] == [
        ("kick_off", "Kick-off", date(2027, 1, 15)),
        ("workshop", "Workshop 1", date(2027, 2, 15)),
        ("workshop", "Workshop 2", date(2027, 3, 15)),
        ("workshop", "Workshop 3", date(2027, 4, 15)),
        ("workshop", "Workshop 4", date(2027, 5, 15)),
        ("self_assessment_deadline", "Self-assessment deadline", date(2027, 5, 15)),
        ("finalists_announced", "Finalists announced", date(2027, 5, 30)),
        ("judging", "Judging and on-site presentations", date(2027, 6, 15)),
        ("judging_deadline", "Judging deadline", date(2027, 6, 15)),
        ("award_ceremony", "Award ceremony", date(2027, 7, 15)),
    ]


def test_calendar_months_clamp_to_the_end_of_shorter_months():
    assert timeline.add_months(date(2027, 8, 31), 1) == date(2027, 9, 30)
    assert timeline.add_months(date(2027, 10, 31), 4) == date(2028, 2, 29)  # leap year
    assert timeline.add_months(date(2026, 10, 31), 4) == date(2027, 2, 28)
    assert timeline.add_months(date(2026, 11, 30), 2) == date(2027, 1, 30)


def test_deadline_is_2359_in_the_cohorts_time_zone():
    summer = timeline.deadline_at(date(2027, 6, 15), "Europe/London")
    winter = timeline.deadline_at(date(2027, 1, 15), "Europe/London")
    sydney = timeline.deadline_at(date(2027, 6, 15), "Australia/Sydney")

    assert summer.astimezone(UTC) == datetime(2027, 6, 15, 22, 59, tzinfo=UTC)  # BST
    assert winter.astimezone(UTC) == datetime(2027, 1, 15, 23, 59, tzinfo=UTC)  # GMT
    assert sydney.astimezone(UTC) == datetime(2027, 6, 15, 13, 59, tzinfo=UTC)


def test_other_milestones_happen_at_the_start_of_their_day():
    moment = timeline.milestone_moment("kick_off", date(2027, 1, 15), "Europe/London")
    assert moment == datetime(2027, 1, 15, 0, 0, tzinfo=ZoneInfo("Europe/London"))


def test_describe_remaining_in_words():
    now = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)

    assert timeline.describe_remaining(now, now + timedelta(days=3, hours=5)) == "in 3 days"
    assert timeline.describe_remaining(now, now + timedelta(days=1)) == "in 1 day"
    assert timeline.describe_remaining(now, now + timedelta(hours=5, minutes=59)) == "in 5 hours"
    assert timeline.describe_remaining(now, now + timedelta(minutes=20)) == "in 20 minutes"
    assert timeline.describe_remaining(now, now + timedelta(seconds=30)) == "now"
    assert timeline.describe_remaining(now, now - timedelta(days=2)) == "2 days ago"


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_default_timeline_is_in_order_and_spans_six_months(start):
    planned = timeline.default_timeline(start)
    dates = [m.on for m in planned]

    assert dates == sorted(dates)
    assert planned[0].on == start
    assert planned[-1].on == timeline.add_months(start, 6)
    assert [m.kind for m in planned].count("self_assessment_deadline") == 1
    assert [m.kind for m in planned].count("judging_deadline") == 1


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 120))
def test_add_months_lands_in_the_right_month_and_never_later_than_the_same_day(start, months):
    result = timeline.add_months(start, months)

    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day
