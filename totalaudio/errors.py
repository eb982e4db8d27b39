"""Exit codes and the project's error classes: the only exceptions services and clients raise."""

from __future__ import annotations

from datetime import datetime, timezone
from enum import IntEnum
from typing import Any

from totalaudio.redact import redact, redact_obj


class ExitCode(IntEnum):
    """Exit codes, the same for every command (see README, "Exit codes")."""

    OK = 0
    BUG = 1
    USAGE = 2
    CONFIG = 3
    INTEGRATION = 4
    FINDINGS = 5
    INTERRUPTED = 130


def utc_now() -> str:
    """The current time as ISO-8601 UTC with a Z suffix, second precision."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class TapError(Exception):
    """Base of every error tap reports to a user; carries its exit code and a hint."""

    exit_code = ExitCode.BUG
    kind = "error"

    def __init__(self, message: str, *, hint: str | None = None, **details: Any) -> None:
        # Redacted here, where every error is made, so no message carries a secret to any output or store.
        message, hint = redact(message), redact(hint) if hint else hint
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = redact_obj({k: v for k, v in details.items() if v is not None})

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of this error (the value of ``{"error": ...}``)."""
        out: dict[str, Any] = {"type": self.kind, "message": self.message, "exitCode": int(self.exit_code)}
        if self.hint:
            out["hint"] = self.hint
        out.update(self.details)
        return out


class InputError(TapError):
    """Bad usage or bad input: a file, an id or a value. Exit 2."""

    exit_code = ExitCode.USAGE
    kind = "input"


class LockBusyError(InputError):
    """Another tap run holds the store's write lock. Exit 2: run again later."""

    kind = "locked"


class ConfigError(TapError):
    """Missing or invalid configuration or credentials. Exit 3."""

    exit_code = ExitCode.CONFIG
    kind = "config"


class FindingsError(TapError):
    """``--check`` was given and problems were found. Exit 5."""

    exit_code = ExitCode.FINDINGS
    kind = "findings"


class IntegrationError(TapError):
    """An external service failed after retries. Exit 4.

    Its JSON shape is the seed's: ``{service, operation, error, retryable, timestamp}``
    plus ``status`` and ``requestId`` where the service gave them. ``payload`` is what a
    dead-letter retry needs to replay the call; it never holds a secret.
    """

    exit_code = ExitCode.INTEGRATION
    kind = "integration"

    def __init__(
        self,
        service: str,
        operation: str,
        error: str,
        *,
        retryable: bool = False,
        status: int | None = None,
        request_id: str | None = None,
        payload: dict[str, Any] | None = None,
        hint: str | None = None,
    ) -> None:
        error = redact(error)
        super().__init__(f"{service} {operation} failed: {error}", hint=hint)
        self.service = service
        self.operation = redact(operation)
        self.error = error
        self.retryable = retryable
        self.status = status
        self.request_id = request_id
        self.payload = payload
        self.timestamp = utc_now()

    def to_dict(self) -> dict[str, Any]:
        """The seed's IntegrationError shape, plus message, exit code and hint."""
        out: dict[str, Any] = {
            "type": self.kind,
            "service": self.service,
            "operation": self.operation,
            "error": self.error,
            "retryable": self.retryable,
            "timestamp": self.timestamp,
            "message": self.message,
            "exitCode": int(self.exit_code),
        }
        if self.status is not None:
            out["status"] = self.status
        if self.request_id:
            out["requestId"] = self.request_id
        if self.hint:
            out["hint"] = self.hint
        return out
