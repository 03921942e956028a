"""The crypto vault: AES-256-GCM payloads, PIN-wrapped data keys, sealing to the site server, blind index.

Why these choices: AES-GCM binds each blob to its event and case id through associated data, so a blob
moved to another record fails to open; scrypt makes a stolen database expensive to PIN-guess; X25519
sealing means only the site server can read what a tablet pushes, whatever carries it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12
KEY_BYTES = 32
SEAL_INFO = b"courtside seal v1"


class VaultError(Exception):
    """A blob failed to open: wrong key, tampered data, or moved to another record."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def decrypt(key: bytes, blob: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError):
        raise VaultError("the record could not be opened: wrong key or altered data") from None


def event_aad(event_id: str, case_id: str) -> bytes:
    return f"{event_id}|{case_id}".encode()


@dataclass(frozen=True)
class KdfParams:
    """scrypt parameters are stored beside each wrapped key so they can be raised later without losing data."""

    salt: bytes
    n: int = 2**15
    r: int = 8
    p: int = 1

    def derive(self, secret: str) -> bytes:
        return hashlib.scrypt(secret.encode(), salt=self.salt, n=self.n, r=self.r, p=self.p,
                              maxmem=128 * 1024 * 1024, dklen=KEY_BYTES)

    @classmethod
    def fresh(cls) -> KdfParams:
        return cls(salt=os.urandom(16))


def wrap_key(data_key: bytes, pin: str, params: KdfParams, aad: bytes) -> bytes:
    return encrypt(params.derive(pin), data_key, aad)


def unwrap_key(wrapped: bytes, pin: str, params: KdfParams, aad: bytes) -> bytes:
    return decrypt(params.derive(pin), wrapped, aad)


def blind_index(index_key: bytes, text: str) -> str:
    """A keyed hash of a normalised name, so search works without the name being stored in clear."""
    normal = " ".join(text.casefold().split())
    return hmac.new(index_key, normal.encode(), hashlib.sha256).hexdigest()


# --- sealing to the site server (X25519 + HKDF-SHA256 + AES-256-GCM) ---

def _seal_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=KEY_BYTES, salt=ephemeral_public + recipient_public,
                info=SEAL_INFO).derive(shared)


def _raw(public: X25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def seal(recipient_public_b64: str, plaintext: bytes, aad: bytes) -> bytes:
    recipient_raw = base64.b64decode(recipient_public_b64)
    recipient = X25519PublicKey.from_public_bytes(recipient_raw)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_raw = _raw(ephemeral.public_key())
    key = _seal_key(ephemeral.exchange(recipient), ephemeral_raw, recipient_raw)
    return ephemeral_raw + encrypt(key, plaintext, aad)


def unseal(private: X25519PrivateKey, blob: bytes, aad: bytes) -> bytes:
    ephemeral_raw, rest = blob[:32], blob[32:]
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_raw))
    except ValueError:
        raise VaultError("the sealed record is malformed") from None
    return decrypt(_seal_key(shared, ephemeral_raw, _raw(private.public_key())), rest, aad)


def public_key_b64(private: X25519PrivateKey) -> str:
    return base64.b64encode(_raw(private.public_key())).decode()


def load_or_create_server_key(path: Path) -> X25519PrivateKey:
    """The server's long-term sealing key, created on first start (file mode 0600)."""
    key = load_or_create_private_key(path, X25519PrivateKey.generate)
    assert isinstance(key, X25519PrivateKey)
    return key


def load_or_create_private_key(path: Path, generate: Callable[[], Any]) -> Any:
    """A long-term private key kept as unencrypted PEM readable by its owner only (0600), made on first use.

    The file is created with O_EXCL at mode 0600, so the key is never on disk with wider permissions.
    """
    if path.exists():
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    key = generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return key
