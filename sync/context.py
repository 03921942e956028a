"""What every part of the site server shares: the database, its keys, the sites it serves, its limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from fastapi import HTTPException

from app.crypto import load_or_create_private_key, load_or_create_server_key, public_key_b64
from app.site import Site
from sync.db import Database
from sync.ratelimit import Rate, RateLimiter
from sync.signing import CLOCK_WINDOW_SECONDS, public_b64


def load_or_create_identity_key(path: Path) -> Ed25519PrivateKey:
    """The server's long-term identity (signs every answer to a device), created on first start, mode 0600."""
    key = load_or_create_private_key(path, Ed25519PrivateKey.generate)
    assert isinstance(key, Ed25519PrivateKey)
    return key


@dataclass(frozen=True)
class ServerKeys:
    seal: X25519PrivateKey
    identity: Ed25519PrivateKey
    seal_public: str
    identity_public: str

    @classmethod
    def load(cls, data_dir: Path) -> ServerKeys:
        seal = load_or_create_server_key(data_dir / "server_key.pem")
        identity = load_or_create_identity_key(data_dir / "server_identity.pem")
        return cls(seal, identity, public_key_b64(seal), public_b64(identity))


@dataclass(frozen=True)
class Settings:
    """Limits and windows; the defaults suit a site, tests and benchmarks set their own."""

    device_rate: Rate = Rate(per_second=20.0, burst=100)
    address_rate: Rate = Rate(per_second=2.0, burst=30)  # enrolment codes and admin passwords
    clock_window: int = CLOCK_WINDOW_SECONDS
    code_hours: int = 24
    session_hours: int = 8
    purge_every_hours: float = 24.0  # the retention purge runs at start-up and then this often; 0: never
    bench_noop: bool = False


@dataclass
class ServerContext:
    db: Database
    keys: ServerKeys
    sites: dict[str, Site]
    settings: Settings = field(default_factory=Settings)
    device_limits: RateLimiter = field(init=False)
    address_limits: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.device_limits = RateLimiter(self.settings.device_rate)
        self.address_limits = RateLimiter(self.settings.address_rate)

    def site_or_404(self, site_id: str) -> Site:
        site = self.sites.get(site_id)
        if site is None:
            raise HTTPException(404, f"unknown site '{site_id}'")
        return site

    def limit_address(self, address: str | None) -> None:
        wait = self.address_limits.take(address or "unknown")
        if wait:
            raise HTTPException(429, f"too many attempts from this address: wait {wait:.0f} s",
                                headers={"Retry-After": str(max(1, round(wait)))})
