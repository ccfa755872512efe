"""Password hashing (Argon2id) and the strength rule every new password meets."""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from srdi.auth.exceptions import (
    WeakPassword,
)
from srdi.config import Settings

MIN_PASSWORD_LENGTH = 8


@lru_cache
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID)


def hasher(settings: Settings) -> PasswordHasher:
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)


def hash_password(password: str, settings: Settings) -> str:
    return hasher(settings).hash(password)


def verify_password(password_hash: str, password: str, settings: Settings) -> bool:
    try:
        return hasher(settings).verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@lru_cache
def dummy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_kib, parallelism).hash(secrets.token_urlsafe(16))


def check_password_strength(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"密码至少 {MIN_PASSWORD_LENGTH} 位", f"password shorter than {MIN_PASSWORD_LENGTH}"
        )
    if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
        raise WeakPassword("密码须同时包含字母和数字", "password needs letters and digits")
    if password.lower() == username.lower():
        raise WeakPassword("密码不能与用户名相同", "password equals username")
