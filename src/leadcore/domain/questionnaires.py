"""Questionnaires: versioned lists of typed questions, and the typed check of each answer."""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from leadcore.domain import errors
from leadcore.domain.validation import text_problem

# What an answer may hold; None is never stored (it clears an answer).
AnswerValue = int | float | bool | str

QUESTION_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}", re.ASCII)
MAX_QUESTIONS = 500
MAX_CHOICES = 100
# Question texts and text answers follow the rules of a lead's notes (up to 2000
# characters, line breaks allowed); a choice follows those of a single-line lead field.
LONG_TEXT_RULES = "notes"
CHOICE_TEXT_RULES = "choice"
# Whole numbers must fit a 64-bit column on every store.
INT_RANGE = range(-(2**63), 2**63)
QUESTION_KEYS: tuple[str, ...] = ("id", "text", "type", "required", "choices")


class QuestionType(enum.StrEnum):
    """The kind of value a question takes."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CHOICE = "choice"


@attrs.frozen
class Question:
    """One question; ``choices`` is non-empty exactly for CHOICE questions."""

    id: str
    text: str
    type: QuestionType
    required: bool = False
    choices: tuple[str, ...] = ()

    def check(self, value: object) -> tuple[AnswerValue | None, str | None]:
        """Return (the cleaned answer, None), or (None, why ``value`` does not answer this).

        A cleaned answer of None means "no answer" (None given, or blank text).
        """
        if value is None:
            return None, None
        if self.type is QuestionType.NUMBER:
            return _number(value)
        if self.type is QuestionType.BOOLEAN:
            if isinstance(value, bool):
                return value, None
            return None, "must be true or false"
        if self.type is QuestionType.CHOICE:
            if isinstance(value, str) and value in self.choices:
                return value, None
            return None, "must be one of " + ", ".join(self.choices)
        reason = text_problem(LONG_TEXT_RULES, value, required=False)
        if reason is not None:
            return None, reason
        return str(value).strip() or None, None

    def to_dict(self) -> dict[str, Any]:
        """Return the question as JSON-ready data (the shape ``set_questionnaire`` takes)."""
        return {
            "id": self.id,
            "text": self.text,
            "type": self.type.value,
            "required": self.required,
            "choices": list(self.choices),
        }


@attrs.frozen
class Questionnaire:
    """One published version of the questions; assessments are pinned to a version."""

    version: int
    questions: tuple[Question, ...]
    published_by: str
    published_at: datetime

    def question(self, question_id: str) -> Question | None:
        """Return the question with this id, or None."""
        for question in self.questions:
            if question.id == question_id:
                return question
        return None

    def check_answers(self, values: Mapping[Any, object]) -> dict[str, AnswerValue | None]:
        """Return the cleaned answers; INVALID_INPUT naming each unknown or ill-typed one."""
        problems: dict[str, str] = {}
        cleaned: dict[str, AnswerValue | None] = {}
        for key, value in values.items():
            question = self.question(key) if isinstance(key, str) else None
            if question is None:
                problems[_name(key)] = "is not a question of this questionnaire"
                continue
            answer, reason = question.check(value)
            if reason is not None:
                problems[question.id] = reason
            else:
                cleaned[question.id] = answer
        if problems:
            raise errors.invalid_input(problems)
        return cleaned

    def missing(self, answered: Iterable[str]) -> list[str]:
        """Return the ids of the required questions not in ``answered``, in question order."""
        given = set(answered)
        return [q.id for q in self.questions if q.required and q.id not in given]

    def still_valid(self, answers: Mapping[str, AnswerValue]) -> dict[str, AnswerValue]:
        """Return those of ``answers`` that this version still accepts unchanged."""
        kept: dict[str, AnswerValue] = {}
        for question_id, value in answers.items():
            question = self.question(question_id)
            if question is None:
                continue
            cleaned, reason = question.check(value)
            if reason is None and cleaned == value and type(cleaned) is type(value):
                kept[question_id] = value
        return kept

    def to_dict(self) -> dict[str, Any]:
        """Return the questionnaire as JSON-ready data."""
        return {
            "version": self.version,
            "questions": [q.to_dict() for q in self.questions],
            "published_by": self.published_by,
            "published_at": self.published_at.isoformat(),
        }


def parse_questions(data: object) -> tuple[Question, ...]:
    """Return validated questions from a list of mappings (or Question instances).

    Bad definitions are INVALID_INPUT, each problem keyed by the question's id (or by
    ``questions[i]`` where the id itself is unusable).
    """
    if isinstance(data, str | bytes | Mapping) or not isinstance(data, Sequence):
        raise errors.invalid_field("questions", "must be a list of questions")
    if not data:
        raise errors.invalid_field("questions", "must list at least one question")
    if len(data) > MAX_QUESTIONS:
        raise errors.invalid_field("questions", f"must list at most {MAX_QUESTIONS} questions")
    problems: dict[str, str] = {}
    questions: list[Question] = []
    seen: set[str] = set()
    for index, item in enumerate(data):
        parsed = _parse_question(index, item, problems)
        if parsed is None:
            continue
        if parsed.id in seen:
            problems.setdefault(parsed.id, "is a duplicate question id")
            continue
        seen.add(parsed.id)
        questions.append(parsed)
    if problems:
        raise errors.invalid_input(problems)
    return tuple(questions)


def _parse_question(index: int, item: object, problems: dict[str, str]) -> Question | None:
    """Return the question ``item`` defines, or None after recording why it is bad."""
    if isinstance(item, Question):
        item = item.to_dict()
    where = f"questions[{index}]"
    if not isinstance(item, Mapping):
        problems[where] = "must be a mapping with id, text, type, required and choices"
        return None
    question_id = item.get("id")
    if not isinstance(question_id, str) or QUESTION_ID_PATTERN.fullmatch(question_id) is None:
        problems[where] = "id must be 1-64 letters, digits, '_', '.' or '-', starting alphanumeric"
        return None
    unknown = sorted(_name(key) for key in item if key not in QUESTION_KEYS)
    if unknown:
        problems[question_id] = "has unknown keys: " + ", ".join(unknown)
        return None
    text = item.get("text")
    reason = text_problem(LONG_TEXT_RULES, text, required=True)
    if reason is not None:
        problems[question_id] = f"text {reason}"
        return None
    kind = _question_type(item.get("type"))
    if kind is None:
        problems[question_id] = "type must be one of " + ", ".join(QuestionType)
        return None
    required = item.get("required", False)
    if not isinstance(required, bool):
        problems[question_id] = "required must be true or false"
        return None
    choices, reason = _choices(kind, item.get("choices"))
    if reason is not None:
        problems[question_id] = reason
        return None
    return Question(str(question_id), str(text).strip(), kind, required, choices)


_TYPE_NAMES: frozenset[str] = frozenset(kind.value for kind in QuestionType)


def _question_type(value: object) -> QuestionType | None:
    if isinstance(value, QuestionType):
        return value
    if isinstance(value, str) and value.lower() in _TYPE_NAMES:
        return QuestionType(value.lower())
    return None


def _choices(kind: QuestionType, value: object) -> tuple[tuple[str, ...], str | None]:
    """Return (the cleaned choices, None) or ((), why they are not acceptable)."""
    if kind is not QuestionType.CHOICE:
        if value is None or (isinstance(value, list | tuple) and not value):
            return (), None
        return (), f"choices are only for choice questions, not {kind.value}"
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple) or not value:
        return (), "a choice question needs a non-empty list of choices"
    if len(value) > MAX_CHOICES:
        return (), f"must have at most {MAX_CHOICES} choices"
    cleaned: list[str] = []
    for choice in value:
        reason = text_problem(CHOICE_TEXT_RULES, choice, required=True)
        if reason is not None:
            return (), f"choice {reason}"
        stripped = str(choice).strip()
        if stripped in cleaned:
            return (), f"choice {stripped!r} is listed twice"
        cleaned.append(stripped)
    return tuple(cleaned), None


def _number(value: object) -> tuple[AnswerValue | None, str | None]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, "must be a number"
    if isinstance(value, float) and not math.isfinite(value):
        return None, "must be a finite number"
    if isinstance(value, int) and value not in INT_RANGE:
        return None, "must fit in 64 bits"
    # Plain int / float, so that an IntEnum or a float subclass is stored as its number.
    return (int(value) if isinstance(value, int) else float(value)), None


def _name(key: object) -> str:
    """Return a key safe to echo back in an error (short, printable)."""
    cleaned = "".join(c if c.isprintable() else "?" for c in errors.shown(key, 64))
    return cleaned or "?"
