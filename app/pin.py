"""PIN rules, checked wherever a PIN is set.

Why these rules: a PIN is the only thing between a lost tablet and the data key, and scrypt only slows
guessing down; the PINs a thief tries first (1234, 4321, 0000, 1111) must never be the one in use.
"""

from __future__ import annotations

from app.case import FieldErrors
from app.i18n import _


def pin_problem(pin: str, min_length: int = 4) -> str | None:
    """Why this PIN may not be set, in words for the officer; None when it is acceptable."""
    if not pin.isdigit() or not pin.isascii():
        return _("The PIN must be digits only")
    if len(pin) < min_length:
        return _("The PIN must be at least {n} digits").format(n=min_length)
    if len(set(pin)) == 1:
        return _("The PIN must not be one digit repeated, like 1111")
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    if steps in ({1}, {9}):
        return _("The PIN must not be a run of digits, like 1234 or 4321")
    return None


def check_pin(pin: str, min_length: int = 4) -> None:
    """Refuse a PIN that breaks the rules, as a field error the PIN screen shows in place."""
    problem = pin_problem(pin, min_length)
    if problem:
        raise FieldErrors({"pin": problem})
