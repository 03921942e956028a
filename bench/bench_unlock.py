"""PIN unlock: the scrypt cost an attacker pays per guess is the cost the officer pays per unlock."""

from __future__ import annotations

import tempfile
from pathlib import Path

from app import crypto
from bench.common import median_ms, row
from tests.pathway import OFFICER, PIN, provisioned_tablet


def main() -> list[str]:
    out = ["PIN unlock (median of 10)"]
    with tempfile.TemporaryDirectory() as d:
        tablet = provisioned_tablet(Path(d))
        key = crypto.new_key()
        base = median_ms(lambda: crypto.decrypt(key, crypto.encrypt(key, b"k" * 32, b"a"), b"a"), repeat=10)
        out.append(row("AES-GCM unwrap alone (baseline)", base))
        out.append(row("unlock with scrypt N=2^15, r=8, p=1", median_ms(lambda: tablet.unlock(OFFICER, PIN),
                                                                          repeat=10, warmup=1), base))
    return out
