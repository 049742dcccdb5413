"""Shared fixtures for ember.keras tests: Keras 3 on the torch backend (imported once)."""
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")


@pytest.fixture(scope="session")
def keras_ref():
    """Keras 3 (torch backend) as the reference; tests using it skip when it is absent."""
    os.environ["KERAS_BACKEND"] = "torch"
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("Keras is not on the torch backend")
    return keras
