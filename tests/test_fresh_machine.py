"""`make test` on a fresh machine needs nothing installed beforehand: the
tests read PDFs through Python packages (tests/pdfs.py), never through
poppler's programs, which a fresh machine lacks and the project does not
install."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
# Spelt in parts so that this file does not name them itself.
POPPLER_PROGRAMS = ["pdf" + "totext", "pdf" + "toppm", "pdf" + "fonts"]
POPPLER_PACKAGE = "poppler" + "-utils"


def test_no_file_under_tests_names_a_poppler_program():
    naming = {
        str(path.relative_to(ROOT)): program
        for path in sorted(TESTS.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
        for program in POPPLER_PROGRAMS
        if program in path.read_text(errors="replace")
    }

    assert naming == {}


@pytest.mark.parametrize("option", ["--run", "--test", "--ci"])
def test_the_package_list_has_no_poppler(option):
    listed = subprocess.run(
        [str(ROOT / "scripts" / "system-packages"), option, "--list"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()

    assert "chromium" in listed or option == "--run"
    assert POPPLER_PACKAGE not in listed
    assert POPPLER_PACKAGE not in (ROOT / "scripts" / "system-packages").read_text()


def test_make_run_and_make_test_install_the_packages_before_anything_else():
    makefile = (ROOT / "Makefile").read_text()

    for target, option in (("run", "--run"), ("test", "--test")):
        recipe = makefile.split(f"\n{target}:", 1)[1].split("\n\n", 1)[0].splitlines()
        assert recipe[0] == ""  # no prerequisite (such as `install`) runs before the recipe
        assert recipe[1] == f"\t@$(SYSTEM_PACKAGES) {option}"


def test_ci_takes_its_packages_from_the_script():
    ci = (ROOT / ".ci" / "run").read_text()

    assert "scripts/system-packages --ci" in ci
    assert "apt-get" not in ci


def run_browser_tests(**environment):
    """pytest on the browser harness test in a process of its own, with only
    the given PQ_ variables set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PQ_") and k != "PYTEST_ADDOPTS"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/browser/test_harness.py"],
        cwd=ROOT,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_chromium_the_browser_tests_stop_the_run_with_how_to_install_it(tmp_path):
    result = run_browser_tests(PQ_CHROMIUM=str(tmp_path / "no-chromium"))

    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert "1 browser test(s) need Debian's Chromium" in result.stderr
    assert "scripts/system-packages --test" in result.stderr and "PQ_SKIP_BROWSER=1" in result.stderr


def test_skipping_the_browser_tests_is_asked_for_and_says_what_was_left_out(tmp_path):
    result = run_browser_tests(PQ_CHROMIUM=str(tmp_path / "no-chromium"), PQ_SKIP_BROWSER="1")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "browser tests left out (PQ_SKIP_BROWSER=1)" in result.stdout
    assert "tests/browser/test_harness.py: 1 test(s) not run" in result.stdout


def test_skipping_the_browser_tests_is_an_error_in_ci():
    result = run_browser_tests(PQ_SKIP_BROWSER="1", PQ_NO_SKIP="1")

    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert "PQ_NO_SKIP=1 (CI) allows no test to be left out" in result.stderr
