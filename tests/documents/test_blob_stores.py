"""The BlobStore contract, on the filesystem and the memory adapters alike."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from leadcore import ErrorCode, LeadCoreError
from leadcore.adapters.files import FileBlobStore
from leadcore.adapters.memory.documents import MemoryBlobStore
from leadcore.ports.documents import BlobStore

Stores = FileBlobStore | MemoryBlobStore


@pytest.fixture(params=["files", "memory"])
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> Stores:
    """A fresh, empty blob store of each adapter."""
    return FileBlobStore(tmp_path / "blobs") if request.param == "files" else MemoryBlobStore()


def as_port(store: Stores) -> BlobStore:
    """Return the adapter typed as the port (mypy checks it implements the protocol)."""
    return store


def test_put_then_get_returns_the_content(blobs: Stores) -> None:
    """A stored blob reads back byte for byte."""
    as_port(blobs).put("d-1", b"\x00\x01binary\xff")
    assert blobs.get("d-1") == b"\x00\x01binary\xff"


def test_get_of_a_missing_name_is_none(blobs: Stores) -> None:
    """A name never stored reads as None."""
    assert blobs.get("d-missing") is None


def test_put_refuses_a_name_in_use_and_keeps_the_first_content(blobs: Stores) -> None:
    """A second put under the same name is DUPLICATE_RESOURCE; nothing is overwritten."""
    blobs.put("d-1", b"first")
    with pytest.raises(LeadCoreError) as caught:
        blobs.put("d-1", b"second")
    assert caught.value.code is ErrorCode.DUPLICATE_RESOURCE
    assert blobs.get("d-1") == b"first"


def test_delete_removes_and_a_missing_name_is_fine(blobs: Stores) -> None:
    """delete removes a blob; deleting it again is not an error."""
    blobs.put("d-1", b"x")
    blobs.delete("d-1")
    blobs.delete("d-1")
    assert (blobs.get("d-1"), blobs.names()) == (None, [])


def test_names_lists_what_is_stored(blobs: Stores) -> None:
    """names() is the sorted list of stored names."""
    blobs.put("d-2", b"b")
    blobs.put("d-1", b"a")
    assert blobs.names() == ["d-1", "d-2"]


@pytest.mark.parametrize("name", ["../escape", "a/b", "a\\b", "", ".hidden", "a\x00", "x" * 200])
def test_the_file_store_refuses_names_that_are_not_plain(tmp_path: Path, name: str) -> None:
    """Only names made from document ids are accepted: nothing can leave the directory."""
    store = FileBlobStore(tmp_path / "blobs")
    with pytest.raises(LeadCoreError) as caught:
        store.put(name, b"x")
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert list(tmp_path.rglob("*")) == [tmp_path / "blobs"]


def test_the_file_store_leaves_no_temporary_files(tmp_path: Path) -> None:
    """After a put the directory holds exactly the blob's file."""
    store = FileBlobStore(tmp_path / "blobs")
    store.put("d-1", b"content")
    assert sorted(os.listdir(tmp_path / "blobs")) == ["d-1"]


def test_a_failed_write_gives_the_name_back(tmp_path: Path) -> None:
    """If writing the content fails, neither the reserved name nor a temp file stays."""
    store = FileBlobStore(tmp_path / "blobs")
    with pytest.raises(TypeError):
        store.put("d-1", "not bytes")  # type: ignore[arg-type]  # the failure under test
    assert os.listdir(tmp_path / "blobs") == []
    store.put("d-1", b"retry works")
    assert store.get("d-1") == b"retry works"


def test_the_file_store_creates_its_directory(tmp_path: Path) -> None:
    """A missing directory (and its parents) is created."""
    FileBlobStore(tmp_path / "a" / "b").put("d-1", b"x")
    assert (tmp_path / "a" / "b" / "d-1").read_bytes() == b"x"


def test_a_directory_that_cannot_be_made_is_invalid_input(tmp_path: Path) -> None:
    """A path that is a file is refused, naming document_directory."""
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(LeadCoreError) as caught:
        FileBlobStore(tmp_path / "file")
    assert list(caught.value.context["fields"]) == ["document_directory"]
