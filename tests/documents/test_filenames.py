"""Filenames are display names only: hostile ones are cleaned or refused."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadcore import ErrorCode, Lead, LeadCore, LeadCoreError
from leadcore.adapters.files import FileBlobStore
from leadcore.domain.documents import blob_name, clean_filename
from tests.assessments.helpers import refused
from tests.conftest import People


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("report.pdf", "report.pdf"),
        ("  Annual Report 2025.pdf  ", "Annual Report 2025.pdf"),
        ("../../etc/passwd", "etcpasswd"),
        ("..\\..\\windows\\system32\\cmd.exe", "windowssystem32cmd.exe"),
        ("a/b\\c", "abc"),
        ("/absolute/path.pdf", "absolutepath.pdf"),
        ("report\x00.pdf", "report.pdf"),
        ("line\nbreak\r.txt", "linebreak.txt"),
        ("tab\there.csv", "tabhere.csv"),
        ("del\x7f.txt", "del.txt"),
        ("c1\x85control.txt", "c1control.txt"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("full\uff0fwidth\uff0e\uff0e.pdf", "fullwidth.pdf"),
        ("...hidden", ".hidden"),
        ("a..b.pdf", "ab.pdf"),
        ("résumé.pdf", "résumé.pdf"),
        ("報告書.pdf", "報告書.pdf"),
    ],
)
def test_a_filename_is_cleaned_to_a_display_name(raw: str, shown: str) -> None:
    """Separators, '..', control and direction characters are stripped; the rest is kept."""
    assert clean_filename(raw) == shown


@pytest.mark.parametrize(
    "raw",
    ["", "   ", ".", "..", "...", "....", "/", "\\", "../..", "./", "\x00", "\x00\x01", "/./"],
)
def test_a_filename_that_cleans_to_nothing_is_refused(raw: str) -> None:
    """Empty, '.', '..' and names made only of dots or separators are INVALID_INPUT."""
    with pytest.raises(LeadCoreError) as caught:
        clean_filename(raw)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert list(caught.value.context["fields"]) == ["filename"]


# Text rich in the characters that matter: dots, separators, controls, direction marks.
_NASTY = st.text(
    st.one_of(
        st.sampled_from([".", "/", "\\", "\x00", "\n", "\u202e", "\uff0f", "\uff0e", " ", "a"]),
        st.characters(),
    ),
    max_size=40,
)


@given(_NASTY)
def test_whatever_the_input_a_cleaned_name_is_a_safe_display_name(name: str) -> None:
    """clean_filename returns a name without separators, '..' or controls, or refuses."""
    cleaned: str | ErrorCode
    try:
        cleaned = clean_filename(name)
    except LeadCoreError as exc:
        cleaned = exc.code
    if isinstance(cleaned, ErrorCode):
        assert cleaned is ErrorCode.INVALID_INPUT
        return
    assert cleaned not in {"", ".", ".."}
    assert ".." not in cleaned
    assert re.search("[/\\\\\x00-\x1f\x7f-\x9f]", cleaned) is None
    assert cleaned == cleaned.strip()


@pytest.mark.parametrize("raw", [None, 12, b"report.pdf", ["a"], "x" * 256])
def test_a_filename_that_is_not_short_text_is_refused(raw: object) -> None:
    """Non-text names and names over 255 characters are INVALID_INPUT."""
    with pytest.raises(LeadCoreError) as caught:
        clean_filename(raw)
    assert list(caught.value.context["fields"]) == ["filename"]


@pytest.mark.parametrize("document_id", ["../../x", "a/b", "", "\x00", "." * 3, "x" * 200])
def test_a_blob_name_is_safe_whatever_the_id(document_id: str) -> None:
    """Ids that could escape a directory are hashed into a plain name."""
    name = blob_name(document_id)
    assert name.startswith("h-")
    assert name[2:].isalnum()


def test_a_hostile_filename_is_stored_cleaned(core: LeadCore, people: People, lead: Lead) -> None:
    """The document shows the cleaned name; the blob store holds only the id-derived name."""
    document = core.documents.upload(
        people.reviewer.id, lead.id, "../../etc/passwd\x00.pdf", b"%PDF", "application/pdf"
    )
    blobs = core.container.blobs()
    assert isinstance(blobs, FileBlobStore)
    assert document.filename == "etcpasswd.pdf"
    assert blobs.names() == [blob_name(document.id)]
    assert [p.name for p in blobs.directory.iterdir()] == [blob_name(document.id)]


@pytest.mark.parametrize("filename", ["....", "../", "\x00"])
def test_an_upload_whose_name_cleans_to_nothing_is_refused(
    core: LeadCore, people: People, lead: Lead, filename: str
) -> None:
    """The service refuses names that are only dots or separators, naming ``filename``."""
    error = refused(
        ErrorCode.INVALID_INPUT,
        lambda: core.documents.upload(people.reviewer.id, lead.id, filename, b"x", "text/plain"),
    )
    assert list(error.context["fields"]) == ["filename"]
