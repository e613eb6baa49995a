"""scripts/system-packages, run against fake `dpkg`, `apt-get`, `id` and
`sudo`: each fake records how it was called in one log, and PATH holds
nothing else but the few real programs the script and make need."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "system-packages"
REAL_PROGRAMS = ("bash", "env", "grep", "make")
RUN = [
    "python3.11-venv",
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "libharfbuzz0b",
    "libharfbuzz-subset0",
    "fonts-dejavu-core",
    "fonts-droid-fallback",
]
TEST = [*RUN, "chromium"]
CI = [*TEST, "redis-server", "postgresql-client"]

FAKES = {
    # FAKE_INSTALLED: the installed packages; FAKE_REMOVED: removed ones whose configuration files remain.
    "dpkg": """
        echo "dpkg $*" >> "$FAKE_LOG"
        [ "$1" = -s ] || exit 2
        for package in $FAKE_INSTALLED; do
          [ "$package" = "$2" ] && { printf 'Package: %s\\nStatus: install ok installed\\n' "$2"; exit 0; }
        done
        for package in $FAKE_REMOVED; do
          [ "$package" = "$2" ] && { printf 'Package: %s\\nStatus: deinstall ok config-files\\n' "$2"; exit 0; }
        done
        echo "dpkg-query: package '$2' is not installed" >&2
        exit 1
    """,
    "apt-get": """
        echo "apt-get $*" >> "$FAKE_LOG"
        [ "${FAKE_APT_FAILS:-}" != "$1" ]
    """,
    "id": """
        [ "$1" = -u ] && echo "$FAKE_UID"
    """,
    "sudo": """
        echo "sudo $*" >> "$FAKE_LOG"
        [ "$1" = -n ] && shift
        exec "$@"
    """,
    # Stands in for .venv/bin/python in `make test`: anything it is asked to do is logged.
    "python": """
        echo "python $*" >> "$FAKE_LOG"
    """,
}


class Machine:
    """A PATH of fakes, the log they write and a way to run the script there."""

    def __init__(self, folder: Path, *, sudo: bool):
        self.bin = folder / "bin"
        self.bin.mkdir()
        self.log = folder / "calls.log"
        self.log.touch()
        bash = shutil.which("bash")
        for name, body in FAKES.items():
            if name == "sudo" and not sudo:
                continue
            fake = self.bin / name
            fake.write_text(f"#!{bash}\n" + "\n".join(line.strip() for line in body.strip().splitlines()) + "\n")
            fake.chmod(0o755)
        for name in REAL_PROGRAMS:
            real = shutil.which(name)
            assert real, f"{name} is needed to run these tests"
            (self.bin / name).symlink_to(real)

    def run(self, *command, installed=(), removed=(), uid=1000, **environment):
        env = {
            "PATH": str(self.bin),
            "FAKE_LOG": str(self.log),
            "FAKE_INSTALLED": " ".join(installed),
            "FAKE_REMOVED": " ".join(removed),
            "FAKE_UID": str(uid),
            **environment,
        }
        return subprocess.run(
            list(command), env=env, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
        )

    def packages(self, *arguments, **kwargs):
        return self.run(str(SCRIPT), *arguments, **kwargs)

    def calls(self, program: str | None = None) -> list[str]:
        lines = self.log.read_text().splitlines()
        return [line for line in lines if program is None or line.split()[0] == program]


@pytest.fixture
def machine(tmp_path):
    return Machine(tmp_path, sudo=False)


@pytest.fixture
def machine_with_sudo(tmp_path):
    return Machine(tmp_path, sudo=True)


def test_as_root_only_the_missing_packages_are_installed_in_one_call(machine):
    installed = [package for package in TEST if package not in {"chromium", "fonts-droid-fallback"}]
    result = machine.packages("--test", installed=installed, uid=0)

    assert result.returncode == 0, result.stderr
    assert machine.calls("apt-get") == [
        "apt-get update -qq",
        "apt-get install -y -qq --no-install-recommends fonts-droid-fallback chromium",
    ]
    assert "chromium: the browser tests drive Debian's Chromium with Playwright" in result.stdout


def test_without_root_the_packages_are_installed_through_sudo_without_a_password_prompt(machine_with_sudo):
    result = machine_with_sudo.packages("--run", installed=RUN[1:], uid=1000)

    assert result.returncode == 0, result.stderr
    assert machine_with_sudo.calls("sudo") == [
        "sudo -n apt-get update -qq",
        "sudo -n apt-get install -y -qq --no-install-recommends python3.11-venv",
    ]
    assert machine_with_sudo.calls("apt-get") == [
        "apt-get update -qq",
        "apt-get install -y -qq --no-install-recommends python3.11-venv",
    ]


def test_without_root_or_sudo_make_test_stops_before_pytest_and_prints_the_command(machine):
    result = machine.run(
        "make", "--no-print-directory", "test", f"PY={machine.bin / 'python'}", installed=RUN, uid=1000
    )

    assert result.returncode != 0
    assert machine.calls("apt-get") == []
    assert machine.calls("python") == []  # neither pip nor pytest ran
    assert "this needs root, and sudo is not available" in result.stderr
    assert "  apt-get update && apt-get install -y --no-install-recommends chromium\n" in result.stderr


def test_a_failing_install_stops_with_the_command_to_run(machine):
    result = machine.packages("--run", installed=RUN[:-1], uid=0, FAKE_APT_FAILS="install")

    assert result.returncode == 1
    assert "apt-get update && apt-get install -y --no-install-recommends fonts-droid-fallback" in result.stderr


@pytest.mark.parametrize(("option", "packages"), [("--run", RUN), ("--test", TEST), ("--ci", CI)])
def test_with_everything_installed_apt_get_is_not_called(machine_with_sudo, option, packages):
    result = machine_with_sudo.packages(option, installed=packages, uid=1000)

    assert result.returncode == 0, result.stderr
    assert machine_with_sudo.calls("apt-get") == machine_with_sudo.calls("sudo") == []
    assert machine_with_sudo.calls("dpkg") == [f"dpkg -s {package}" for package in packages]


def test_a_removed_package_whose_configuration_remains_counts_as_missing(machine):
    result = machine.packages("--run", installed=RUN[:-1], removed=["fonts-droid-fallback"], uid=0)

    assert result.returncode == 0, result.stderr
    assert machine.calls("apt-get")[-1] == "apt-get install -y -qq --no-install-recommends fonts-droid-fallback"


def test_skipping_the_browser_tests_leaves_chromium_out(machine):
    result = machine.packages("--test", installed=RUN, uid=1000, PQ_SKIP_BROWSER="1")

    assert result.returncode == 0, result.stderr
    assert machine.calls("apt-get") == []
    assert "PQ_SKIP_BROWSER=1, so Chromium is not needed" in result.stdout


@pytest.mark.parametrize(("option", "packages"), [("--run", RUN), ("--test", TEST), ("--ci", CI)])
def test_each_set_lists_its_packages(machine, option, packages):
    result = machine.packages(option, "--list")

    assert (result.returncode, result.stdout.split()) == (0, packages)
    assert machine.calls() == []


def test_a_wrong_option_is_refused(machine):
    assert machine.packages("--everything").returncode == 2
    assert machine.packages().returncode == 2
    assert machine.calls() == []


def test_a_machine_without_dpkg_is_told_what_to_install(machine):
    (machine.bin / "dpkg").unlink()
    result = machine.packages("--run", uid=0)

    assert result.returncode == 1
    assert "no dpkg" in result.stderr and "  libpango-1.0-0\n" in result.stderr
    assert machine.calls() == []
    assert machine.packages("--run", uid=0, PQ_SKIP_SYSTEM_PACKAGES="1").returncode == 0


def test_the_script_is_executable():
    assert os.access(SCRIPT, os.X_OK)
