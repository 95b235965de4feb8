"""`trackstar api` as multipart/form-data: `--form`, or a path the spec takes multipart at (attach a file).

-f/-F are text parts and `-F key=@FILE` a file part (the file's bytes as they are, its name and a guessed type).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

from trackstar_cli.errors import UsageError
from trackstar_cli.service.api import ApiRequest, _split_field, _split_target, needs_access_token, parse_headers
from trackstar_cli.spec import WRITES

__all__ = ["is_multipart_path", "prepare_form"]


def is_multipart_path(method: str, path: str) -> bool:
    """Whether the spec takes multipart/form-data at this method and path (attach a file to an order)."""
    segs = [s for s in path.split("/") if s]
    for op in WRITES.values():
        parts = [s for s in op.path.split("/") if s]
        if op.multipart and op.method == method.upper() and len(parts) == len(segs):
            if all(p.startswith("{") or p == s for p, s in zip(parts, segs, strict=True)):
                return True
    return False


_MAX_FILE = 50 * 1024 * 1024


def prepare_form(
    method: str,
    given: str | None,
    target: str,
    base_url: str,
    raw_fields: Sequence[str],
    typed_fields: Sequence[str],
    headers: Sequence[str],
) -> ApiRequest:
    """A multipart/form-data request: -f/-F are text parts, -F key=@FILE a file part (its bytes as they are)."""
    if method == "GET":
        raise UsageError("a GET has no body to send as a form", hint="name the METHOD, e.g. POST")
    path, params = _split_target(target, base_url)
    files: dict[str, tuple[str, bytes, str]] = {}
    form: dict[str, str] = {}
    for raw, typed in [(f, False) for f in raw_fields] + [(f, True) for f in typed_fields]:
        key, value = _split_field(raw, typed)
        if key in files or key in form:
            raise UsageError(f"form field {key} given twice")
        if typed and value.startswith("@"):
            files[key] = _read_file_part(value[1:], key)
        else:
            form[key] = value
    if not files and not form:
        raise UsageError("a multipart request needs at least one -f/-F field", hint="e.g. -F file=@label.pdf")
    headers_ = parse_headers(headers)
    scoped = needs_access_token(method, path)
    if scoped and not any(k.lower() == "idempotency-key" for k in headers_):
        headers_["Idempotency-Key"] = str(uuid.uuid4())
    return ApiRequest(method, path, params, None, False, headers_, scoped, given is None, False, files, form)


def _read_file_part(name: str, key: str) -> tuple[str, bytes, str]:
    import mimetypes

    if not name or name == "-":
        raise UsageError(f"-F {key}=@… needs a file name (standard input is not sent as a file)")
    file = Path(name).expanduser()
    try:
        if file.stat().st_size > _MAX_FILE:
            raise UsageError(f"{file} is larger than {_MAX_FILE} bytes")
        content = file.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {name} for -F {key}: {exc.strerror or exc}", hint="check the path") from None
    return file.name, content, mimetypes.guess_type(file.name)[0] or "application/octet-stream"
