"""The sync wire format: what tablets and the site server send each other (see sync/PROTOCOL.md).

Why it is strict: the server is the meeting point of many tablets, so everything that arrives is
checked here (shape, lengths, canonical UUIDs) before any of it reaches the database. Payloads
travel only as sealed blobs (app.crypto.seal, associated data binding them to their event and case
id); the clear fields are just what syncing and listing need. A push batch is checked event by event
(`parse_event`), so one malformed event is rejected with its reason and the rest are stored.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from app.crypto import event_aad, seal

PROTOCOL_VERSION = 1
MAX_SEALED_BYTES = 256 * 1024
MAX_BATCH_EVENTS = 500
MAX_PULL_ITEMS = 500
DIGEST_BUCKETS = 16
# base64 of MAX_SEALED_BYTES, so an oversized blob is refused before it is decoded
_MAX_SEALED_CHARS = 4 * ((MAX_SEALED_BYTES + 2) // 3)

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
DEVICE_PATTERN = r"^[A-Za-z0-9_-]{4,64}$"
SITE_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"

# Printable ASCII without spaces: ids and stamps end up in log lines and URLs, never free text.
Token = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]+$", min_length=1, max_length=100)]
SiteId = Annotated[str, StringConstraints(pattern=SITE_PATTERN, min_length=1, max_length=64)]
DeviceId = Annotated[str, StringConstraints(pattern=DEVICE_PATTERN, min_length=4, max_length=64)]
# Kinds are open-ended (each pathway step adds its own); only their spelling is checked.
Kind = Annotated[str, StringConstraints(pattern=r"^[a-z_]{3,40}$")]
Hlc = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]+$", min_length=1, max_length=64)]
CourtId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Key32 = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{43}=$")]  # base64 of 32 raw bytes
DeviceName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80,
                                              pattern=r"^[^\x00-\x1f\x7f]+$")]


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
    """One case event on the wire: clear sync fields plus the payload sealed to its recipient."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="event UUID (canonical lower-case form); the set-union key")
    case_id: str = Field(description="case UUID (canonical lower-case form)")
    kind: Kind = Field(description="event kind, e.g. case_opened; any lower-case name is accepted")
    hlc: Hlc = Field(description="hybrid logical clock stamp; sorts as a plain (bytewise) string")
    device_id: Token = Field(description="the device that made the event (on a push: the pushing device)")
    officer_id: Token
    schema_version: int = Field(ge=1, le=10_000)
    sealed: str = Field(max_length=_MAX_SEALED_CHARS,
                        description="base64 of app.crypto.seal(recipient key, payload, event_aad(id, case_id))")

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
    def seal_payload(cls, recipient_key_b64: str, payload: bytes, **fields: Any) -> WireEvent:
        """Build a wire event whose payload is sealed to the recipient and bound to its event and case id."""
        blob = seal(recipient_key_b64, payload, event_aad(fields["id"], fields["case_id"]))
        return cls(sealed=base64.b64encode(blob).decode(), **fields)


NOT_JSON = "body: could not be read as JSON (bad encoding, nesting too deep, or a number out of range)"


def readable(error: ValidationError, prefix: str = "") -> str:
    """Validation errors as one sentence naming the fields, without echoing what was sent."""
    parts = []
    for item in error.errors()[:5]:
        # A field name the sender made up is not repeated unless it looks like one (it could be anything).
        loc = [str(p) if re.fullmatch(r"[A-Za-z0-9_]{1,40}", str(p)) else "?"
               for p in item.get("loc", ()) if p not in ("body", "path", "query")]
        field = ".".join([prefix, *loc] if prefix else loc) or prefix or "body"
        msg = str(item.get("msg", "is invalid")).removeprefix("Value error, ")
        parts.append(f"{field}: {msg}")
    more = len(error.errors()) - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def parse_event(raw: object, index: int) -> WireEvent | str:
    """One event of a batch, or the reason it is refused (naming fields, never echoing values)."""
    try:
        return WireEvent.model_validate(raw)
    except ValidationError as exc:
        return readable(exc, f"events.{index}")


_EVENT_LIST_SCHEMA = {"type": "array", "minItems": 1, "items": WireEvent.model_json_schema(),
                      "description": f"at most {MAX_BATCH_EVENTS} events; each is checked on its own"}


class PushBatch(BaseModel):
    """Events a device pushes in one signed request; each event is stored or rejected on its own."""

    model_config = ConfigDict(extra="forbid")

    site_id: SiteId
    device_id: DeviceId = Field(description="must be the device that signs the request")
    events: Annotated[list[Any], WithJsonSchema(_EVENT_LIST_SCHEMA)] = Field(min_length=1)


class Rejection(BaseModel):
    """An event the server would not store, with why; the tablet quarantines it and pushes the rest."""

    index: int = Field(description="position of the event in the batch")
    id: str | None = Field(description="the event id, when the event carried a readable one")
    reason: str


class PushResult(BaseModel):
    """What a push changed: `accepted` are held by the server now (new or already), `rejected` are not."""

    stored: int = Field(description="events newly stored by this push")
    duplicates: int = Field(description="events in the batch the server already held (or repeated in it)")
    accepted: list[str] = Field(description="each distinct event id of the batch now held by the server")
    rejected: list[Rejection] = Field(default_factory=list)


class SiteDocument(BaseModel):
    """The site configuration a tablet runs with, as one versioned document."""

    version: int = Field(description="server-assigned; grows with every change")
    content_hash: str
    site: dict[str, Any] = Field(description="the site file: courts, officers, providers and their slots")
    tools: dict[str, dict[str, Any]] = Field(description="screening tools by id: version, content hash, "
                                                                "and the tool's files (name to TOML text)")
    consent: dict[str, dict[str, Any]] = Field(description="easy-read consent content by language/name: "
                                                           "version and sha256")


class PullItem(BaseModel):
    """One entry of a device's feed: an event of a case shared with it, or a new site configuration."""

    seq: int
    type: Literal["event", "config"]
    event: WireEvent | None = Field(default=None, description="sealed to the device's inbox key")
    config: SiteDocument | None = None


class PullPage(BaseModel):
    """A page of the device's feed; store it durably, then send `cursor` back to get the next page."""

    cursor: str = Field(description="opaque; the position after this page")
    more: bool
    items: list[PullItem]


class BucketDigest(BaseModel):
    count: int
    hash: str


class SetDigest(BaseModel):
    """Count and order-free hash of a set of events, whole and in buckets by the id's first hex digit."""

    count: int
    hash: str
    buckets: list[BucketDigest]


class DriftDigest(BaseModel):
    """What the server holds for this device: the events it made, and those shared with it up to `cursor`."""

    own: SetDigest
    shared: SetDigest
    cursor: str


class HeldEvent(BaseModel):
    id: str
    digest: str = Field(description="sha256 hex of the sealed blob as stored")


class HeldEvents(BaseModel):
    bucket: str
    events: list[HeldEvent]


class EnrolRequest(BaseModel):
    """A tablet presents its enrolment code (as a proof, never the code itself) and its public keys."""

    model_config = ConfigDict(extra="forbid")

    code_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")] = Field(
        description="sha256-derived lookup id of the code")
    device_id: DeviceId
    signing_key: Key32 = Field(description="the device's Ed25519 public key, base64")
    inbox_key: Key32 = Field(description="the device's X25519 public key for what the server sends it, base64")
    proof: Key32 = Field(description="HMAC-SHA256 under the code's key over the fields above")


class EnrolResponse(BaseModel):
    """The server's identity, which the tablet pins, and a proof that the server knew the code."""

    device_id: str
    device_name: str
    site_id: str
    server_identity_key: str = Field(description="Ed25519 public key that signs every answer to a device")
    server_seal_key: str = Field(description="X25519 public key events are sealed to")
    server_time: float
    proof: str = Field(description="HMAC-SHA256 under the code's key over the request proof and the keys above")


class HandOver(BaseModel):
    """A device hands a case it holds to another device of its site, or to a court of its site (custody to court):
    the server, which cannot read the sealed hand-over event, is told the court here, in clear."""

    model_config = ConfigDict(extra="forbid")

    case_id: Annotated[str, StringConstraints(pattern=UUID_PATTERN)]
    to_device_id: DeviceId | None = None
    to_court_id: CourtId | None = None

    @model_validator(mode="after")
    def _one_target(self) -> HandOver:
        if (self.to_device_id is None) == (self.to_court_id is None):
            raise ValueError("give exactly one of to_device_id and to_court_id")
        return self

    @field_validator("case_id")
    @classmethod
    def _uuid(cls, value: str) -> str:
        return _canonical_uuid(value)


class ShareResult(BaseModel):
    case_id: str
    device_id: str
    events: int = Field(description="events of the case now in that device's feed")
    devices: list[str] = Field(default_factory=list, description="for a hand-over to a court: every device it "
                                                                 "was shared with")


class CaseEvent(BaseModel):
    """An event as listed for a case: the clear sync fields only, never the payload."""

    id: str
    kind: str
    hlc: str
    device_id: str
    officer_id: str
    schema_version: int


class SiteSummary(BaseModel):
    events: int
    cases: int


class Health(BaseModel):
    status: str
    database: str


class ErrorDetail(BaseModel):
    """Every error the server returns: one readable reason."""

    detail: str


# --- the audit trail (sync/audit_trail.py) ---

MAX_AUDIT_ENTRIES = 500
Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Text = Annotated[str, StringConstraints(pattern=r"^[\x20-\x7e]*$", max_length=200)]


class WireAuditEntry(BaseModel):
    """One tablet audit entry (app/audit.py) as the tablet chained it: ids and kinds, no personal data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int = Field(ge=1, le=2**62)
    id: Token
    at: Token
    action: Annotated[str, StringConstraints(pattern=r"^[a-z_]{3,40}$")]
    officer_id: Text
    device_id: DeviceId
    case_id: Text
    detail: Text
    prev_hash: Hex64
    hash: Hex64


class AuditBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device_id: DeviceId
    entries: list[WireAuditEntry] = Field(min_length=1, max_length=MAX_AUDIT_ENTRIES)


class AuditResult(BaseModel):
    stored: int = Field(description="entries new to the server in this batch")
    held_through: int = Field(description="the server holds every entry of this device up to this sequence number")


AUDIT_FIELDS = tuple(WireAuditEntry.model_fields)
