"""Secrets at rest: e-mail bodies that carry a secret link (a password
reset, an invitation, an address confirmation) are stored encrypted with
EMAIL_SECRET_KEY, never in clear, and only until they are delivered.

The key lives in the environment, not in the database, so that a backup, a
database dump or the admin shows only ciphertext. EMAIL_SECRET_KEY may list
several keys (comma-separated): the first encrypts, every one decrypts, so a
key can be rotated without losing the e-mails still queued.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.html import escape

# What the stored copy of an e-mail shows where its secret was.
REDACTED = "[link removed: it is secret]"

__all__ = ["REDACTED", "InvalidToken", "redact", "seal", "unseal"]


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.EMAIL_SECRET_KEYS))


def seal(text: str) -> str:
    return _current().encrypt(text.encode()).decode("ascii")


def unseal(token: str) -> str:
    """The text sealed in `token`; InvalidToken when no key opens it."""
    return _current().decrypt(token.encode("ascii")).decode()


def redact(body: str, secrets: list[str]) -> str:
    """`body` with every secret (and its HTML-escaped form) replaced by REDACTED."""
    for secret in sorted(secrets, key=len, reverse=True):
        body = body.replace(secret, REDACTED)
        body = body.replace(escape(secret), REDACTED)
    return body
