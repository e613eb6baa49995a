#!/usr/bin/env python3
"""What a pytest run did, from its --junitxml report (standard library only).

Under pytest-xdist the `-v` lines come in any order and with a worker tag
(`[gw1] PASSED tests/…`), so .ci/run reads this report instead.

    scripts/junit_count.py REPORT.xml
        a table: passed, failed, skipped per directory of tests/
    scripts/junit_count.py REPORT.xml --passed PREFIX
        the number of tests passed whose id starts with PREFIX, such as
        tests/browser/ or tests/security/test_backup.py::test_backup_and_restore
"""

import argparse
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import PurePosixPath

OUTCOMES = ("passed", "failed", "skipped")


def test_id(testcase: ET.Element) -> str:
    """pytest's node id back from the report's classname and name:
    tests.security.test_backup + test_x -> tests/security/test_backup.py::test_x
    (a class, tests.a.test_b.TestC, becomes tests/a/test_b.py::TestC::…)."""
    parts = testcase.get("classname", "").split(".")
    module = next((i for i, part in enumerate(parts) if part.startswith("test_")), len(parts) - 1)
    path = "/".join(parts[: module + 1]) + ".py"
    return "::".join([path, *parts[module + 1 :], testcase.get("name", "")])


def outcome(testcase: ET.Element) -> str:
    if testcase.find("failure") is not None or testcase.find("error") is not None:
        return "failed"
    if testcase.find("skipped") is not None:
        return "skipped"
    return "passed"


def results(report: str) -> list[tuple[str, str]]:
    """(test id, outcome) of every test case in the report."""
    root = ET.parse(report).getroot()  # noqa: S314 - our own pytest's report, not outside input
    return [(test_id(case), outcome(case)) for case in root.iter("testcase")]


def directory(test: str) -> str:
    return str(PurePosixPath(test.split("::", 1)[0]).parent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", help="the file pytest wrote with --junitxml")
    parser.add_argument("--passed", metavar="PREFIX", help="print only how many tests whose id starts so passed")
    args = parser.parse_args(argv)
    try:
        cases = results(args.report)
    except (OSError, ET.ParseError) as error:
        print(f"{args.report}: {error}", file=sys.stderr)
        return 2
    if args.passed is not None:
        print(sum(1 for test, result in cases if result == "passed" and test.startswith(args.passed)))
        return 0
    counts: dict[str, Counter] = {}
    for test, result in cases:
        counts.setdefault(directory(test), Counter())[result] += 1
    width = max([len("directory"), *map(len, counts)])
    print(f"{'directory':<{width}}  " + "  ".join(f"{name:>7}" for name in OUTCOMES))
    for name in sorted(counts):
        print(f"{name:<{width}}  " + "  ".join(f"{counts[name][result]:>7}" for result in OUTCOMES))
    total = sum(counts.values(), Counter())
    print(f"{'total':<{width}}  " + "  ".join(f"{total[result]:>7}" for result in OUTCOMES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
