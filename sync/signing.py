"""What both ends compute the same way: signed requests and answers, enrolment codes and proofs, set digests.

Why sign at this layer as well as using TLS: TLS may end at a proxy in front of the server, and a
tablet must still be sure an acknowledgement came from its own site server (a forged "stored" would
lose records), and the server that a batch came from an enrolled tablet. Requests are signed with
the device's Ed25519 key; answers with the server's identity key that the tablet pinned at enrolment.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sync.protocol import DIGEST_BUCKETS, BucketDigest, SetDigest

H_DEVICE = "Courtside-Device"
H_TIME = "Courtside-Time"
H_NONCE = "Courtside-Nonce"
H_SIGNATURE = "Courtside-Signature"
H_SERVER_SIGNATURE = "Courtside-Server-Signature"
H_SERVER_TIME = "Courtside-Server-Time"
CLOCK_WINDOW_SECONDS = 300
NONCE_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def request_message(method: str, target: str, device_id: str, stamp: str, nonce: str, body: bytes) -> bytes:
    """The exact bytes a device signs: method, path with query as sent, who, when, a nonce, the body's hash."""
    return "\n".join(["courtside-request-v1", method.upper(), target, device_id, stamp, nonce,
                      body_hash(body)]).encode()


def response_message(nonce: str, status: int, body: bytes) -> bytes:
    """The exact bytes the server signs: bound to the request's nonce, so an old answer cannot be replayed."""
    return "\n".join(["courtside-response-v1", nonce, str(status), body_hash(body)]).encode()


def sign_request(key: Ed25519PrivateKey, device_id: str, method: str, target: str, body: bytes,
                 now: float) -> dict[str, str]:
    """Headers that authenticate one request from this device."""
    stamp, nonce = str(int(now)), new_nonce()
    signature = key.sign(request_message(method, target, device_id, stamp, nonce, body))
    return {H_DEVICE: device_id, H_TIME: stamp, H_NONCE: nonce, H_SIGNATURE: b64(signature)}


def verify(public_key_b64: str, signature_b64: str, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(unb64(public_key_b64)).verify(unb64(signature_b64), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def public_b64(key: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives import serialization

    return b64(key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


# --- enrolment codes: a shared secret between the site admin and the tablet, never sent in clear ---

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 20  # 100 bits


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(code: str) -> str:
    """What a person typed, read the way it was meant: case, spaces, hyphens, O for 0 and I or L for 1."""
    text = "".join(code.split()).replace("-", "").upper()
    return text.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def code_is_well_formed(code: str) -> bool:
    text = normalise_code(code)
    return len(text) == CODE_LENGTH and all(c in CODE_ALPHABET for c in text)


def code_id(code: str) -> str:
    return hashlib.sha256(b"courtside enrol id|" + normalise_code(code).encode()).hexdigest()[:32]


def code_mac_key(code: str) -> bytes:
    return hashlib.sha256(b"courtside enrol mac|" + normalise_code(code).encode()).digest()


def enrol_request_proof(mac_key: bytes, code_id_: str, device_id: str, signing_key: str, inbox_key: str) -> str:
    message = json.dumps([code_id_, device_id, signing_key, inbox_key]).encode()
    return b64(hmac.new(mac_key, b"request|" + message, hashlib.sha256).digest())


def enrol_response_proof(mac_key: bytes, request_proof: str, device_id: str, site_id: str, identity_key: str,
                         seal_key: str) -> str:
    message = json.dumps([request_proof, device_id, site_id, identity_key, seal_key]).encode()
    return b64(hmac.new(mac_key, b"response|" + message, hashlib.sha256).digest())


def proofs_match(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


# --- drift check: an order-free digest of a set of (event id, content) pairs ---

def set_digest(pairs: Iterable[tuple[str, str]]) -> SetDigest:
    """Count and XOR of hashes, per bucket (the id's first hex digit) and in total; equal sets give equal digests."""
    counts = [0] * DIGEST_BUCKETS
    hashes = [0] * DIGEST_BUCKETS
    for event_id, content in pairs:
        bucket = int(event_id[0], 16) % DIGEST_BUCKETS
        counts[bucket] += 1
        hashes[bucket] ^= int.from_bytes(hashlib.sha256(f"{event_id}\0{content}".encode()).digest()[:16], "big")
    total = 0
    for h in hashes:
        total ^= h
    return SetDigest(count=sum(counts), hash=f"{total:032x}",
                     buckets=[BucketDigest(count=c, hash=f"{h:032x}") for c, h in zip(counts, hashes, strict=True)])


def differing_buckets(a: SetDigest, b: SetDigest) -> list[str]:
    """The buckets (as hex digits) whose contents differ between two digests."""
    return [f"{i:x}" for i, (x, y) in enumerate(zip(a.buckets, b.buckets, strict=True)) if x != y]
