"""Fixtures for the reference-page tests.

Responsibilities:
- Give every test a fresh kernel registry and instance, so the in-memory store
  that ``materialize()`` writes to by default never carries values between tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import nbassets


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[nbassets.Registry]:
    with nbassets.use_registry() as registry:
        yield registry
