"""run_action, the ActionResponse envelope, on plain callables."""

from __future__ import annotations

import json

from leadcore import ErrorCode, LeadCoreError, run_action, user_message
from leadcore.domain import errors


class Thing:
    """Something with a to_dict, like every object leadcore returns."""

    def __init__(self, n: int) -> None:
        self.n = n

    def to_dict(self) -> dict[str, int]:
        """Return the thing as data."""
        return {"n": self.n}


def test_a_result_with_to_dict_becomes_the_data() -> None:
    """success True and data = result.to_dict()."""
    assert run_action(Thing, 3) == {"success": True, "data": {"n": 3}}


def test_lists_and_tuples_are_mapped_item_by_item() -> None:
    """A list of objects becomes a list of dicts; tuples become lists."""
    assert run_action(lambda: [Thing(1), Thing(2)]) == {
        "success": True,
        "data": [{"n": 1}, {"n": 2}],
    }
    assert run_action(lambda: (Thing(1), 2))["data"] == [{"n": 1}, 2]


def test_dict_values_are_mapped_and_keys_become_text() -> None:
    """A mapping result (such as {year: number}) has text keys and mapped values."""
    assert run_action(lambda: {2026: Thing(7), "x": None})["data"] == {
        "2026": {"n": 7},
        "x": None,
    }


def test_plain_values_pass_through() -> None:
    """Scalars and None are the data as they are."""
    assert run_action(lambda: 42) == {"success": True, "data": 42}
    assert run_action(lambda: None) == {"success": True, "data": None}


def test_keyword_arguments_reach_the_action() -> None:
    """run_action passes positional and keyword arguments on."""
    assert run_action(lambda a, *, b: a + b, 1, b=2)["data"] == 3


def test_a_refusal_has_the_user_message_code_and_context() -> None:
    """A LeadCoreError becomes success False with error, code and context."""

    def refuse() -> None:
        raise errors.duplicate_cin("U72900KA2015PTC012345")

    assert run_action(refuse) == {
        "success": False,
        "error": user_message(ErrorCode.DUPLICATE_CIN),
        "code": "DUPLICATE_CIN",
        "context": {"cin": "U72900KA2015PTC012345"},
    }


def test_any_other_exception_is_an_unknown_error_without_a_traceback() -> None:
    """A KeyError inside the action becomes UNKNOWN_ERROR; the envelope stays JSON."""

    def explode() -> None:
        raise KeyError("secret internals")

    outcome = run_action(explode)
    assert outcome["success"] is False
    assert outcome["code"] == "UNKNOWN_ERROR"
    assert "secret internals" not in json.dumps(outcome)


def test_a_failure_envelope_is_json_ready() -> None:
    """The failure envelope survives json.dumps unchanged."""

    def refuse() -> None:
        raise LeadCoreError(ErrorCode.INVALID_INPUT, "bad", {"fields": {"cin": "bad"}})

    outcome = run_action(refuse)
    assert json.loads(json.dumps(outcome)) == outcome
