"""Running the installed ``leadcore`` command in a subprocess, on a SQLite file in a temp dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

# The console script pip installed next to this interpreter; ``python -m leadcore`` if absent.
SCRIPT = Path(sys.executable).with_name("leadcore")
ADMIN = "admin@example.in"
REVIEWER = "reviewer@example.in"


def command_line(*, module: bool = False) -> list[str]:
    """Return the argv prefix that starts the installed command."""
    if module or not SCRIPT.exists():
        return [sys.executable, "-m", "leadcore"]
    return [str(SCRIPT)]


@attrs.frozen
class Cli:
    """Runs ``leadcore --db sqlite:///<dir>/x.db ...`` in ``dir`` and returns the result."""

    directory: Path

    @property
    def db(self) -> str:
        """The database URL every run uses."""
        return f"sqlite:///{self.directory / 'x.db'}"

    def __call__(self, *args: str, module: bool = False) -> subprocess.CompletedProcess[str]:
        """Run the command with ``args`` after ``--db``; never raises on a non-zero exit."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEADCORE_")}
        env["COLUMNS"] = "200"
        return subprocess.run(
            [*command_line(module=module), "--db", self.db, *args],
            cwd=self.directory,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )

    def ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the command and check that it exits 0."""
        done = self(*args)
        assert done.returncode == 0, done.stderr
        return done

    def json(self, *args: str) -> Any:
        """Run a command given ``--json`` and return its stdout parsed."""
        return json.loads(self.ok(*args, "--json").stdout)


def initialised(directory: Path) -> Cli:
    """Return a Cli on a fresh database holding an admin and a reviewer."""
    cli = Cli(directory)
    cli.ok("init", "--admin-email", ADMIN, "--admin-name", "Asha")
    cli.ok(
        "users", "add", "--as", ADMIN, "--email", REVIEWER, "--name", "Ravi", "--role", "REVIEWER"
    )
    return cli


@pytest.fixture(scope="session")
def ready(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """A Cli on a database with an admin and a reviewer, shared by the session's tests."""
    return initialised(tmp_path_factory.mktemp("cli"))


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """A Cli on an empty database in the test's temp directory."""
    return Cli(tmp_path)
