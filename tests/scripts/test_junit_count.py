"""scripts/junit_count.py: what .ci/run reads from pytest's --junitxml
report, since the `-v` lines of a pytest-xdist run name no order."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="6">
<testcase classname="tests.browser.test_journeys" name="test_lead_signs_in" time="3.1"/>
<testcase classname="tests.browser.test_journeys" name="test_member_signs_in" time="2.0">
  <failure message="AssertionError">boom</failure></testcase>
<testcase classname="tests.security.test_backup" name="test_backup_and_restore_round_trip_every_table" time="1"/>
<testcase classname="tests.security.test_backup.TestArchive" name="test_named_by_the_time[utc]" time="1"/>
<testcase classname="tests.integration.test_celery_worker" name="test_sent_by_the_worker" time="0">
  <skipped message="needs Redis"/></testcase>
<testcase classname="tests.test_fresh_machine" name="test_ci_takes_its_packages" time="0">
  <error message="teardown failed"/></testcase>
</testsuite></testsuites>
"""


def junit_count(tmp_path, *args):
    report = tmp_path / "report.xml"
    report.write_text(REPORT)
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "junit_count.py"), str(report), *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_junit_count_prints_passed_failed_and_skipped_per_directory(tmp_path):
    assert junit_count(tmp_path).splitlines() == [
        "directory           passed   failed  skipped",
        "tests                    0        1        0",
        "tests/browser            1        1        0",
        "tests/integration        0        0        1",
        "tests/security           2        0        0",
        "total                    3        2        1",
    ]


def test_junit_count_counts_the_passed_tests_of_a_directory_or_a_test(tmp_path):
    assert junit_count(tmp_path, "--passed", "tests/browser/") == "1\n"
    assert junit_count(tmp_path, "--passed", "tests/integration/") == "0\n"
    assert junit_count(tmp_path, "--passed", "tests/security/test_backup.py::test_backup_and_restore") == "1\n"
    assert junit_count(tmp_path, "--passed", "tests/security/test_backup.py::TestArchive::test_named") == "1\n"
