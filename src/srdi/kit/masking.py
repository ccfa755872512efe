"""Masking of personal and financial identifiers for display (PRODUCT C9)."""

from __future__ import annotations


def mask_phone(phone: str | None) -> str | None:
    """Keep the first 3 and last 4 digits: 138****5678."""
    if not phone:
        return phone
    digits = phone.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_account(account: str | None) -> str | None:
    """Bank account: only the last 4 characters stay visible."""
    if not account:
        return account
    a = account.replace(" ", "")
    return "*" * max(len(a) - 4, 0) + a[-4:]
