"""Counts the requests the security suite makes, by kind, for the report at
the end of the run (tests/security/conftest.py prints it)."""

from collections import Counter

from django.test import Client

REQUESTS: Counter[str] = Counter()


class CountingClient(Client):
    """A test client that counts its requests under `kind` ("matrix", "locks", "fuzz")."""

    def __init__(self, kind: str, **kwargs):
        super().__init__(**kwargs)
        self.kind = kind

    def request(self, **request):
        REQUESTS[self.kind] += 1
        return super().request(**request)
