"""The seed's ActionResponse envelope, for web back ends that answer with JSON."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterator
from typing import Any

from leadcore.domain import errors
from leadcore.domain.errors import LeadCoreError

log = logging.getLogger("leadcore.services.envelope")


def run_action(action: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Call ``action`` and wrap the outcome as ``{"success", "data"}`` or the error's fields."""
    try:
        data = to_data(action(*args, **kwargs))  # an iterator result is read in here
    except LeadCoreError as exc:
        return _failure(exc)
    except Exception as exc:  # the envelope promises JSON, never a traceback
        log.exception("unexpected failure in run_action")
        return _failure(errors.unknown_error(str(type(exc).__name__)))
    return {"success": True, "data": data}


def to_data(result: Any) -> Any:
    """Return ``result`` as JSON-ready data: ``to_dict()`` where it has one, lists (and
    iterators, read to the end) item by item.

    Bytes (a document's content) become standard Base64 text.
    """
    if hasattr(result, "to_dict"):
        return result.to_dict()
    if isinstance(result, bytes | bytearray | memoryview):
        return base64.b64encode(result).decode("ascii")
    if isinstance(result, list | tuple | Iterator):
        return [to_data(item) for item in result]
    if isinstance(result, dict):
        return {str(k): to_data(v) for k, v in result.items()}
    return result


def _failure(exc: LeadCoreError) -> dict[str, Any]:
    return {
        "success": False,
        "error": exc.user_message,
        "code": exc.code.value,
        "context": exc.context,
    }
