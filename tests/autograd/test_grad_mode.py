"""no_grad / enable_grad / set_grad_enabled as context managers and decorators."""
import pytest

import ember


def _recorded(fn):
    x = ember.ones(2, requires_grad=True)
    return fn(x).requires_grad


@pytest.mark.parametrize("ctx,records", [
    (ember.no_grad, False), (ember.enable_grad, True),
    (lambda: ember.set_grad_enabled(False), False), (lambda: ember.set_grad_enabled(True), True),
])
def test_context_managers(ctx, records):
    with ctx():
        assert ember.is_grad_enabled() is records
        assert _recorded(lambda x: x * 2) is records
    assert ember.is_grad_enabled()


def test_enable_grad_inside_no_grad_and_nesting_restores():
    with ember.no_grad():
        with ember.enable_grad():
            assert _recorded(lambda x: x + 1)
        assert not ember.is_grad_enabled()
        with ember.no_grad():
            pass
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()


def test_state_restored_after_exception():
    with pytest.raises(ValueError):
        with ember.no_grad():
            raise ValueError("boom")
    assert ember.is_grad_enabled()


@pytest.mark.parametrize("make_decorator,records", [
    (ember.no_grad, False), (ember.enable_grad, True), (lambda: ember.set_grad_enabled(False), False),
])
def test_decorators(make_decorator, records):
    @make_decorator()
    def f(x):
        """doc"""
        return x * 2

    assert ember.is_grad_enabled()  # building the decorator changes nothing
    assert f(ember.ones(1, requires_grad=True)).requires_grad is records
    assert f.__doc__ == "doc"
    assert ember.is_grad_enabled()


def test_enable_grad_decorator_inside_no_grad():
    @ember.enable_grad()
    def f(x):
        return x * 2

    with ember.no_grad():
        assert f(ember.ones(1, requires_grad=True)).requires_grad
        assert not ember.is_grad_enabled()


def test_set_grad_enabled_as_a_plain_call():
    ember.set_grad_enabled(False)
    try:
        assert not ember.is_grad_enabled()
    finally:
        ember.set_grad_enabled(True)
    assert ember.is_grad_enabled()


def test_no_grad_results_are_leaves_without_grad():
    x = ember.ones(2, requires_grad=True)
    with ember.no_grad():
        y = x * 2
    assert y.is_leaf and not y.requires_grad and y.grad_fn is None


def test_grad_mode_is_per_thread():
    import threading
    entered, release = threading.Event(), threading.Event()
    seen = {}

    def worker():
        seen["worker_start"] = ember.is_grad_enabled()
        with ember.no_grad():
            entered.set()
            release.wait(5)

    t = threading.Thread(target=worker)
    t.start()
    entered.wait(5)
    try:
        assert ember.is_grad_enabled()  # the worker's no_grad does not leak here
        assert (ember.ones(1, requires_grad=True) * 2).requires_grad
    finally:
        release.set()
        t.join()
    assert seen["worker_start"] is True
