"""Fixtures: the real local stack for the whole session, a scripted fake edge per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from .fake_edge import FakeEdge
from .helpers import Clients
from .stack import LocalStack, running_stack


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    """``npm start`` on free ports with its own data directory; stopped by process group even on failure."""
    with running_stack() as local:
        yield local


@pytest.fixture
async def edge() -> AsyncIterator[FakeEdge]:
    fake = await FakeEdge().start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def clients(stack: LocalStack) -> AsyncIterator[Clients]:
    opened = Clients(stack)
    try:
        yield opened
    finally:
        await opened.close_all()
