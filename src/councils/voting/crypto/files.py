"""Reading boards and ceremonies from a file or a URL, writing key files and ceremonies safely."""

from __future__ import annotations

import os
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from councils.voting.crypto.canonical import parse_json
from councils.voting.crypto.errors import MalformedError

__all__ = ["is_url", "read_json", "write_json"]

_MAX_BYTES = 2 * 1024**3


def is_url(source: str) -> bool:
    """True for an ``http://`` or ``https://`` address."""
    return urllib.parse.urlsplit(source).scheme in {"http", "https"}


def read_json(source: str, *, timeout: float = 60.0, token: str | None = None) -> Any:
    """The JSON document at ``source`` (a path, ``-`` for standard input is not supported, or a URL).

    ``token`` (default: the environment's ``COUNCILS_API_TOKEN``) is sent to an address as a personal
    API token: a board is public to its organization's members, not to everyone."""
    token = token if token is not None else os.environ.get("COUNCILS_API_TOKEN", "")
    try:
        if is_url(source):
            headers = {"Accept": "application/json"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            request = urllib.request.Request(source, headers=headers)
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data = response.read(_MAX_BYTES)
        else:
            data = Path(source).read_bytes()
    except OSError as exc:
        raise MalformedError(f"{source}: cannot be read: {exc}") from exc
    try:
        return parse_json(data)
    except MalformedError as exc:
        raise MalformedError(f"{source}: {exc}") from exc


def write_json(path: str | Path, data: bytes, *, private: bool = False) -> None:
    """Replace ``path`` atomically with ``data``; ``private`` files are readable by their owner only."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.")
    try:
        if private:
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
