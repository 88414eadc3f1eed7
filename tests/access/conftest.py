"""Fixtures of the access matrix: the world every test builds its few rows in."""

import pytest

from tests.access.matrix import World


@pytest.fixture
def world(db) -> World:
    """Shanghai, its sub-delegation Qingpu and Zhejiang; other rows are made on first use."""
    return World()
