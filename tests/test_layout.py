"""The test tree must never shadow a reference package.

pytest's default import mode puts ``tests/`` on ``sys.path`` (for the test files at its top
level). A folder there named like a real package (``tests/keras`` once) would then be imported
as a namespace package whenever the real one is missing, and every Keras test would fail with a
confusing ``AttributeError`` instead of a clear ``ImportError``.
"""
import importlib.util
import pathlib
import sys

import pytest

TESTS = pathlib.Path(__file__).parent
REFERENCES = ("keras", "torch", "sklearn", "onnx", "onnxruntime", "h5py", "tensorboard", "optuna",
              "mpi4py", "numpy", "pandas", "matplotlib", "safetensors", "hypothesis", "ember")


@pytest.mark.parametrize("name", REFERENCES)
def test_no_test_folder_is_named_like_a_reference_package(name):
    assert not (TESTS / name).exists(), f"tests/{name} would shadow the real {name!r} package"


def test_tests_folder_is_on_sys_path_so_the_rule_matters():
    # the premise of the rule: top-level test files make pytest prepend tests/ to sys.path
    assert str(TESTS) in sys.path


def test_keras_resolves_to_the_installed_package():
    spec = importlib.util.find_spec("keras")
    assert spec is not None and spec.origin is not None, "keras must be a regular, installed package"
    assert str(TESTS) not in spec.origin
