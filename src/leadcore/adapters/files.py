"""Document content as files in one directory (the filesystem BlobStore)."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from leadcore.domain import errors

# Blob names come from document ids (domain.documents.blob_name); anything else is refused,
# so no name can point outside the directory.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,127}", re.ASCII)
_TEMP_PREFIX = ".tmp-"


class FileBlobStore:
    """One file per blob in ``directory``: written to a temp file, then moved into place.

    A name is first reserved with an exclusive create, so a name in use is refused
    (DUPLICATE_RESOURCE) and never overwritten; the content then arrives with
    ``os.replace``, so a reader sees all of it or nothing. Not transactional: callers
    delete what they put if their commit fails.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise errors.invalid_field(
                "document_directory", "must be a directory leadcore can create and write"
            ) from exc

    def put(self, name: str, data: bytes) -> None:
        """Store ``data`` under a new ``name``, atomically; DUPLICATE_RESOURCE if it exists."""
        final = self._path(name)
        try:
            os.close(os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError as exc:
            raise errors.duplicate_resource(blob=name) from exc
        except OSError as exc:
            raise _io_error("write", name) from exc
        temp: str | None = None
        try:
            handle, temp = tempfile.mkstemp(dir=self.directory, prefix=_TEMP_PREFIX)
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp, final)
            temp = None
            self._sync_directory()
        except BaseException as exc:
            # Whatever went wrong, the reserved name is given back.
            with contextlib.suppress(OSError):
                final.unlink()
            if isinstance(exc, OSError):
                raise _io_error("write", name) from exc
            raise
        finally:
            if temp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temp)

    def get(self, name: str) -> bytes | None:
        """Return the content stored under ``name``, or None if there is none."""
        path = self._path(name)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _io_error("read", name) from exc

    def delete(self, name: str) -> None:
        """Remove the content stored under ``name``; a missing name is not an error."""
        path = self._path(name)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise _io_error("delete", name) from exc

    def names(self) -> list[str]:
        """Return the names of every stored blob, sorted (temp files left out)."""
        return sorted(
            p.name for p in self.directory.iterdir() if not p.name.startswith(_TEMP_PREFIX)
        )

    def _path(self, name: str) -> Path:
        if not isinstance(name, str) or _NAME.fullmatch(name) is None:
            raise errors.invalid_field("blob_name", "must be a name made from a document id")
        return self.directory / name

    def _sync_directory(self) -> None:
        """Make the rename durable where the platform allows fsync on a directory."""
        if os.name != "posix":
            return
        handle = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _io_error(operation: str, name: str) -> errors.LeadCoreError:
    return errors.database_error(
        f"could not {operation} document content", retryable=True, blob=name
    )
