"""Passwords and API tokens: scrypt hashes with their parameters, random tokens kept as sha256.

Nothing here logs or returns a secret in clear except `new_token`, whose caller shows it once."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

# scrypt's cost: 2**14 × 8 needs 16 MiB and ≈ 50 ms here; stored with each hash, so raising
# them later leaves old hashes verifiable.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
KEY_BYTES = 32
SALT_BYTES = 16
TOKEN_BYTES = 32
TOKEN_PREFIX = "cev_"
PASSWORD_MIN = 8


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=256 * r * n + 2**20
    )


def hash_password(password: str) -> str:
    """`scrypt$N$r$p$salt$key`, a fresh random salt each time."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Recompute with the stored salt and parameters; compare in constant time."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        expected = base64.b64decode(key, validate=True)
        if scheme != "scrypt":
            return False
        actual = _scrypt(
            password, base64.b64decode(salt, validate=True), int(n), int(r), int(p), len(expected)
        )
    except ValueError:  # a malformed stored hash never lets anyone in
        return False
    return hmac.compare_digest(actual, expected)


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def burn_password_check(password: str) -> None:
    """The work of one verification, for a name that has no user: a failed login then takes as
    long for an unknown name as for a wrong password, and the timing tells no names apart."""
    verify_password(password, _dummy_hash())


def check_password_strength(password: str) -> None:
    """Raise ValueError for a password too short to stand (never quoting it)."""
    if len(password) < PASSWORD_MIN:
        raise ValueError(f"a password needs at least {PASSWORD_MIN} characters")


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What the register keeps of a token: a random 32-byte token needs no slow hash."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
