"""Upload limits: size, emptiness and content type, all settings."""

from __future__ import annotations

import pytest

from leadcore import ErrorCode, Lead, LeadCore, Settings
from leadcore.adapters.files import FileBlobStore
from leadcore.domain.documents import DEFAULT_CONTENT_TYPES
from tests.assessments.helpers import lead_history, refused
from tests.conftest import People
from tests.documents.conftest import OpenCore


def staff_and_lead(core: LeadCore) -> tuple[str, Lead]:
    """Return an admin's id and a lead on a fresh core."""
    admin = core.users.bootstrap_admin(email="a@example.in", name="Asha")
    lead = core.leads.create(admin.id, {"company_name": "Acme", "cin": "U72900KA2015PTC000001"})
    return admin.id, lead


def test_the_default_limits_are_25_mib_and_the_usual_office_types() -> None:
    """Settings default to 25 MiB and PDF, PNG, JPEG, Office documents, CSV and plain text."""
    limits = Settings().document_limits()
    assert limits.max_bytes == 25 * 1024 * 1024
    assert {"application/pdf", "image/png", "image/jpeg", "text/csv", "text/plain"} <= set(
        limits.content_types
    )
    assert (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        in limits.content_types
    )


def test_an_empty_file_is_refused(core: LeadCore, people: People, lead: Lead) -> None:
    """Zero bytes is INVALID_INPUT naming ``data``."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.documents.upload(people.reviewer.id, lead.id, "e.pdf", b"", "application/pdf"),
    )
    assert error.context["fields"] == {"data": "must not be empty"}


def test_a_file_at_the_limit_is_accepted_and_one_byte_more_refused(open_core: OpenCore) -> None:
    """With a 16-byte limit, 16 bytes upload and 17 are INVALID_INPUT naming ``data``."""
    core = open_core(document_max_bytes=16)
    admin, lead = staff_and_lead(core)
    document = core.documents.upload(admin, lead.id, "a.txt", b"x" * 16, "text/plain")
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.documents.upload(admin, lead.id, "b.txt", b"x" * 17, "text/plain"),
    )
    assert document.size == 16
    assert list(error.context["fields"]) == ["data"]


@pytest.mark.parametrize(
    "content_type",
    ["text/html", "image/svg+xml", "application/x-msdownload", "application/pdf2", "", None, 3],
)
def test_a_content_type_not_allowed_is_refused(
    core: LeadCore, people: People, lead: Lead, content_type: object
) -> None:
    """Types off the allow-list, and values that are not media types, name ``content_type``."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.documents.upload(people.reviewer.id, lead.id, "x", b"<b>hi</b>", content_type),
    )
    assert list(error.context["fields"]) == ["content_type"]


@pytest.mark.parametrize("content_type", DEFAULT_CONTENT_TYPES)
def test_every_default_type_is_accepted(
    core: LeadCore, people: People, lead: Lead, content_type: str
) -> None:
    """Each type of the default allow-list uploads."""
    document = core.documents.upload(people.reviewer.id, lead.id, "f", b"data", content_type)
    assert document.content_type == content_type


def test_the_allow_list_is_a_setting(open_core: OpenCore) -> None:
    """With only image/png allowed, a PDF is refused and a PNG accepted."""
    core = open_core(document_content_types=["image/png"])
    admin, lead = staff_and_lead(core)
    refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.documents.upload(admin, lead.id, "a.pdf", b"%PDF", "application/pdf"),
    )
    assert core.documents.upload(admin, lead.id, "a.png", b"\x89PNG", "image/png").size == 4


@pytest.mark.parametrize("data", ["text, not bytes", None, 12, [1, 2]])
def test_content_that_is_not_bytes_is_refused(
    core: LeadCore, people: People, lead: Lead, data: object
) -> None:
    """data must be bytes-like."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.documents.upload(people.reviewer.id, lead.id, "a.txt", data, "text/plain"),
    )
    assert error.context["fields"] == {"data": "must be bytes"}


def test_every_bad_field_is_named_at_once(core: LeadCore, people: People, lead: Lead) -> None:
    """An empty file with a bad name and a bad type names all three."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.documents.upload(people.reviewer.id, lead.id, "..", b"", "text/html"),
    )
    assert set(error.context["fields"]) == {"filename", "data", "content_type"}


def test_a_refused_upload_writes_nothing(core: LeadCore, people: People, lead: Lead) -> None:
    """No blob, no metadata and no audit entry follow an INVALID_INPUT."""
    before = lead_history(core, people, lead.id)
    refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.documents.upload(people.reviewer.id, lead.id, "a", b"x", "text/html"),
    )
    blobs = core.container.blobs()
    assert isinstance(blobs, FileBlobStore)
    assert blobs.names() == []
    assert core.documents.list(people.reviewer.id, lead.id) == []
    assert lead_history(core, people, lead.id) == before


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("document_max_bytes", 0),
        ("document_content_types", ["not a media type"]),
        ("document_content_types", []),
        ("blob_store", "s3"),
    ],
)
def test_bad_document_settings_are_refused_at_connect(
    open_core: OpenCore, setting: str, value: object
) -> None:
    """Unusable limits or an unknown blob store are INVALID_INPUT naming the setting."""
    error = refused(ErrorCode.INVALID_INPUT, lambda: open_core(**{setting: value}))
    assert setting in error.context["fields"]
