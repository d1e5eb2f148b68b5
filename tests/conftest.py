import numpy as np
import pytest


@pytest.fixture
def rng():
    """A seeded random generator: every test that draws numbers is replayable."""
    return np.random.default_rng(12345)
