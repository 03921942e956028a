"""The sync wire format, version 1: what a tablet pushes and what the site server answers.

Why it is strict: the server is the meeting point of many tablets, so everything that arrives is
checked here (shape, lengths, canonical UUIDs) before any of it reaches the database. Payloads
travel only as sealed blobs (app.crypto.seal to the server's public key, associated data binding
them to their event and case id); the clear fields are just what syncing and listing need.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.crypto import event_aad, seal

PROTOCOL_VERSION = 1
MAX_SEALED_BYTES = 256 * 1024
MAX_BATCH_EVENTS = 500
# base64 of MAX_SEALED_BYTES, so an oversized blob is refused before it is decoded
_MAX_SEALED_CHARS = 4 * ((MAX_SEALED_BYTES + 2) // 3)

# Printable ASCII without spaces: ids and stamps end up in log lines and URLs, never free text.
Token = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]+$", min_length=1, max_length=100)]
SiteId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+$", min_length=1, max_length=64)]
Kind = Annotated[str, StringConstraints(pattern=r"^[a-z_]{3,40}$")]
Hlc = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]+$", min_length=1, max_length=64)]


def _canonical_uuid(value: str) -> str:
    """One spelling per UUID (lower-case, hyphenated), so the set union has exactly one key per event."""
    if len(value) != 36:
        raise ValueError("must be a UUID in canonical form, e.g. 1b4e28ba-2fa1-11d2-883f-0016d3cca427")
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise ValueError("must be a UUID") from None
    if str(parsed) != value:
        raise ValueError("must be a UUID in canonical lower-case form")
    return value


class WireEvent(BaseModel):
    """One case event on the wire: clear sync fields plus the payload sealed to the site server."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="event UUID (canonical lower-case form); the set-union key")
    case_id: str = Field(description="case UUID (canonical lower-case form)")
    kind: Kind = Field(description="event kind, e.g. case_opened")
    hlc: Hlc = Field(description="hybrid logical clock stamp; sorts as a plain (bytewise) string")
    device_id: Token
    officer_id: Token
    schema_version: int = Field(ge=1, le=10_000)
    sealed: str = Field(max_length=_MAX_SEALED_CHARS,
                        description="base64 of app.crypto.seal(server key, payload, event_aad(id, case_id))")

    @field_validator("id", "case_id")
    @classmethod
    def _uuid(cls, value: str) -> str:
        return _canonical_uuid(value)

    @field_validator("sealed")
    @classmethod
    def _base64(cls, value: str) -> str:
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("must be standard base64") from None
        if not raw:
            raise ValueError("must not be empty")
        if len(raw) > MAX_SEALED_BYTES:
            raise ValueError(f"must be at most {MAX_SEALED_BYTES // 1024} KiB once decoded")
        return value

    def sealed_bytes(self) -> bytes:
        return base64.b64decode(self.sealed)

    @classmethod
    def seal_payload(cls, server_public_key_b64: str, payload: bytes, **fields: Any) -> WireEvent:
        """Build a wire event whose payload is sealed to the server and bound to its event and case id."""
        blob = seal(server_public_key_b64, payload, event_aad(fields["id"], fields["case_id"]))
        return cls(sealed=base64.b64encode(blob).decode(), **fields)


class PushBatch(BaseModel):
    """Events a device pushes in one request; the server stores all of them or none."""

    model_config = ConfigDict(extra="forbid")

    site_id: SiteId
    device_id: Token
    events: list[WireEvent] = Field(min_length=1, max_length=MAX_BATCH_EVENTS)


class PushResult(BaseModel):
    """What the push changed: the tablet marks `accepted_ids` as synced, whether new or already held."""

    stored: int = Field(description="events newly stored by this push")
    duplicates: int = Field(description="events in the batch the server already held (or repeated in it)")
    accepted_ids: list[str] = Field(description="each distinct event id of the batch, now held by the server")


class CaseEvent(BaseModel):
    """An event as listed for a case: the clear sync fields only, never the payload."""

    id: str
    kind: str
    hlc: str
    device_id: str
    officer_id: str
    schema_version: int


class SiteConfig(BaseModel):
    """What a tablet pulls before it can push: the site file and the key to seal events to."""

    site: dict[str, Any]
    server_public_key: str
    protocol: int = PROTOCOL_VERSION


class SiteSummary(BaseModel):
    events: int
    cases: int


class ErrorDetail(BaseModel):
    """Every error the server returns: one readable reason."""

    detail: str
