"""Connecting, closing, logging, and failures nobody planned for."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import pytest

import leadcore
from leadcore import ErrorCode, LeadCore, run_action
from tests.conftest import FakeClock, People, lead_data
from tests.contract.conftest import OpenCore
from tests.contract.helpers import all_audit, all_leads, refused


class BreakableClock(FakeClock):
    """A fake clock that raises a plain RuntimeError while ``broken`` is set."""

    broken = False

    def now(self) -> datetime:
        """Return the next fake time, or fail like a buggy collaborator would."""
        if self.broken:
            raise RuntimeError("the clock fell off the wall")
        return super().now()


@pytest.mark.parametrize("url", ["mysql://db/leads", "leads.db", "ftp://x"])
def test_an_unknown_scheme_is_refused_naming_the_known_ones(url: str) -> None:
    """connect with a scheme leadcore does not serve is INVALID_INPUT listing memory://."""
    error = refused(ErrorCode.INVALID_INPUT, lambda: leadcore.connect(url))
    assert set(error.context["fields"]) == {"url"}
    assert "memory://" in error.context["fields"]["url"]


@pytest.mark.parametrize("url", [None, 42, b"memory://"])
def test_a_url_that_is_not_text_is_refused(url: object) -> None:
    """connect(url=...) must be given text."""
    error = refused(ErrorCode.INVALID_INPUT, lambda: leadcore.connect(url))  # type: ignore[arg-type]  # the wrong type is the point
    assert set(error.context["fields"]) == {"url"}


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("rate_limit_read", "garbage"),
        ("rate_limit_write", 5),
        ("rate_limit_storage_uri", "bogus://x"),
        ("rate_limits_enabled", "no"),
        ("document_directory", 5),
        ("pool_size", 0),
    ],
)
def test_a_bad_setting_is_refused_at_connect_naming_it(setting: str, value: object) -> None:
    """connect with a setting leadcore or its libraries cannot use is INVALID_INPUT."""
    overrides: dict[str, Any] = {setting: value}
    error = refused(ErrorCode.INVALID_INPUT, lambda: leadcore.connect("memory://", **overrides))
    assert set(error.context["fields"]) == {setting}


def test_create_schema_twice_keeps_the_data(core: LeadCore, people: People) -> None:
    """create_schema is idempotent: calling it again loses nothing."""
    lead = core.leads.create(people.reviewer.id, lead_data())
    core.create_schema()
    assert core.leads.get(people.reviewer.id, lead.id) == lead


def test_closing_twice_is_harmless(open_core: OpenCore) -> None:
    """close() may be called again without an error."""
    core = open_core()
    core.close()
    core.close()


def test_a_core_is_a_context_manager(open_core: OpenCore) -> None:
    """``with`` returns the core itself and closes it on leaving."""
    core = open_core()
    with core as entered:
        assert entered is core


def test_an_unexpected_failure_is_unknown_error_with_its_cause(open_core: OpenCore) -> None:
    """A collaborator's RuntimeError leaves a command as UNKNOWN_ERROR, the cause chained."""
    clock = BreakableClock()
    core = open_core(clock_=clock)
    admin = core.users.bootstrap_admin(email="a@example.in", name="Asha")
    clock.broken = True
    error = refused(ErrorCode.UNKNOWN_ERROR, lambda: core.leads.create(admin.id, lead_data(1)))
    assert isinstance(error.__cause__, RuntimeError)
    clock.broken = False
    assert core.leads.create(admin.id, lead_data(1)).id == "LEAD-2026-0001"


def test_an_unexpected_failure_mid_command_leaves_nothing_half_done(open_core: OpenCore) -> None:
    """An update that fails inside its unit of work changes neither the lead nor the audit."""
    clock = BreakableClock()
    core = open_core(clock_=clock)
    admin = core.users.bootstrap_admin(email="a@example.in", name="Asha")
    lead = core.leads.create(admin.id, lead_data(1))
    clock.broken = True
    refused(
        ErrorCode.UNKNOWN_ERROR,
        lambda: core.leads.update(admin.id, lead.id, {"city": "Pune"}, expected_version=1),
    )
    clock.broken = False
    assert all_leads(core, admin.id) == [lead]
    assert len(all_audit(core, admin.id)) == 2  # USER_CREATED and LEAD_CREATED


def test_the_envelope_reports_an_unexpected_failure_as_unknown_error(
    open_core: OpenCore,
) -> None:
    """run_action turns the chained failure into code UNKNOWN_ERROR, not a traceback."""
    clock = BreakableClock()
    core = open_core(clock_=clock)
    admin = core.users.bootstrap_admin(email="a@example.in", name="Asha")
    clock.broken = True
    outcome = run_action(core.leads.create, admin.id, lead_data(1))
    assert (outcome["success"], outcome["code"]) == (False, "UNKNOWN_ERROR")


def test_every_command_logs_its_name_actor_and_outcome(
    core: LeadCore, people: People, caplog: pytest.LogCaptureFixture
) -> None:
    """At INFO, a command logs structured fields: command, actor, outcome, duration."""
    lead = core.leads.create(people.reviewer.id, lead_data())
    with caplog.at_level(logging.INFO, logger="leadcore"):
        core.leads.get(people.reviewer.id, lead.id)
        with pytest.raises(leadcore.LeadCoreError):
            core.leads.update(people.reviewer.id, lead.id, {"city": "X"}, expected_version=9)
    fields = [r.leadcore for r in caplog.records if hasattr(r, "leadcore")]
    assert [(f["command"], f["actor"], f["outcome"]) for f in fields] == [
        ("get", people.reviewer.id, "OK"),
        ("update", people.reviewer.id, "CONCURRENT_MODIFICATION"),
    ]
    assert all(lead.id in f.values() and f["duration_ms"] >= 0 for f in fields)


def test_the_library_configures_no_log_handlers(core: LeadCore, people: People) -> None:
    """Applications own logging: no leadcore logger has a handler of its own."""
    core.leads.create(people.reviewer.id, lead_data())
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "leadcore"]
    assert names
    for name in names:
        handlers = logging.getLogger(name).handlers
        assert all(isinstance(h, logging.NullHandler) for h in handlers), name
