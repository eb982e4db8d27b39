"""``tap gmail classify``: the same sorting for local .eml files, directories of them, and mbox files."""

from __future__ import annotations

import mailbox
from pathlib import Path
from typing import Iterator

from totalaudio.errors import InputError
from totalaudio.services.gmail.classify import classify_parsed
from totalaudio.services.gmail.mime import parse
from totalaudio.services.gmail.watch import MessageResult, iso

MAX_FILE = 50 * 1024 * 1024


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(5) == b"From "


def raw_messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """(label, bytes) of each message in a file, mbox or directory; InputError for what cannot be read."""
    if path.is_dir():
        for child in sorted(path.rglob("*.eml")):
            yield from raw_messages(child)
        return
    try:
        if path.stat().st_size > MAX_FILE and not _is_mbox(path):
            raise InputError(f"{path}: larger than {MAX_FILE // 1024 // 1024} MB; not a single message")
        if _is_mbox(path):
            for number, msg in enumerate(mailbox.mbox(str(path), create=False), 1):
                yield f"{path}#{number}", msg.as_bytes()
        else:
            yield str(path), path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def classify_raw(label: str, raw: bytes) -> MessageResult:
    """One message's result: Message-ID as messageId, no thread or contact (no mailbox involved)."""
    parsed = parse(raw)
    verdict = classify_parsed(parsed)
    return MessageResult(parsed.message_id or label, None, iso(parsed.date) if parsed.date else None,
                         parsed.sender or None, None, None, verdict.kind, verdict.bounced_recipient,
                         verdict.permanent, verdict.snippet)


def classify_paths(paths: list[Path]) -> Iterator[tuple[str, MessageResult]]:
    """(file label, result) for every message under the paths, in order."""
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
        for label, raw in raw_messages(path):
            yield label, classify_raw(label, raw)
