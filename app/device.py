"""The tablet's device identity: a signing key (Ed25519) and an inbox key (X25519), wrapped at rest.

Why not under an officer's PIN like the case data: the sync loop signs pushes while the tablet is
locked, and that is also why events are sealed to the server when they are written. So the device
keys are wrapped (AES-256-GCM) under a key-encryption key from a `KeyStore`, and only the wrapped
blob is kept in the tablet database. The key store here is a 0600 file beside the database, never
inside it: a copied database, its WAL or a backup carries no usable key. A platform keystore
(Android Keystore, Windows DPAPI/TPM) replaces `FileKeyStore` behind the same method when the app is
packaged for it. Someone holding the whole disk can sign as the tablet until a site admin revokes it,
which the server then refuses at once; case payloads stay under the officers' PINs either way.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app import crypto

_RAW = serialization.Encoding.Raw


class KeyStore(Protocol):
    def key_encryption_key(self) -> bytes:
        """32 bytes that never leave the store's protection more than needed to wrap or unwrap."""
        ...


class FileKeyStore:
    """The key-encryption key in a 0600 file outside the database (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def key_encryption_key(self) -> bytes:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            data = crypto.new_key()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another thread made it first: use theirs
                return self.path.read_bytes()
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        if len(data) != crypto.KEY_BYTES:
            raise crypto.VaultError(f"{self.path} is not a device key file")
        return data


@dataclass(frozen=True)
class DeviceKeys:
    signing: Ed25519PrivateKey
    inbox: X25519PrivateKey

    @property
    def signing_public(self) -> str:
        return base64.b64encode(self.signing.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)).decode()

    @property
    def inbox_public(self) -> str:
        return base64.b64encode(self.inbox.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)).decode()

    def open_inbox(self, blob: bytes, aad: bytes) -> bytes:
        """Open a payload the server sealed to this device (raises crypto.VaultError if it does not open)."""
        return crypto.unseal(self.inbox, blob, aad)


def _aad(device_id: str) -> bytes:
    return f"courtside device keys|{device_id}".encode()


def new_device_keys(store: KeyStore, device_id: str) -> tuple[DeviceKeys, bytes]:
    """Fresh keys and their wrapped form, ready to keep in the tablet database."""
    keys = DeviceKeys(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())
    private = serialization.PrivateFormat.Raw
    raw = (keys.signing.private_bytes(_RAW, private, serialization.NoEncryption())
           + keys.inbox.private_bytes(_RAW, private, serialization.NoEncryption()))
    return keys, crypto.encrypt(store.key_encryption_key(), raw, _aad(device_id))


def open_device_keys(store: KeyStore, wrapped: bytes, device_id: str) -> DeviceKeys:
    raw = crypto.decrypt(store.key_encryption_key(), wrapped, _aad(device_id))
    return DeviceKeys(Ed25519PrivateKey.from_private_bytes(raw[:32]), X25519PrivateKey.from_private_bytes(raw[32:]))
