"""The report rules on hand-made statistics (no network needed)."""
import numpy as np
import pytest

from ember.diagnostics.findings import (Finding, Report, check_dead, check_diverging,
                                        check_exploding, check_no_gradient, check_non_finite,
                                        check_saturation, check_vanishing, diagnose)

NAMES = ["fc1", "fc2", "fc3"]


def _norms(first, last, steps=20):
    col = np.linspace(1.0, 0.8, steps)
    return np.stack([first * col, np.sqrt(first * last) * col, last * col], axis=1)


@pytest.mark.parametrize("first,last,flagged", [
    (1e-5, 1.0, True),       # ratio 1e-5
    (5e-4, 1.0, True),       # just under 1e-3
    (2e-3, 1.0, False),      # just over
    (1.0, 1.0, False),
    (10.0, 1.0, False),
])
def test_vanishing_rule(first, last, flagged):
    found = check_vanishing(NAMES, _norms(first, last))
    assert bool(found) == flagged
    if flagged:
        assert found[0].kind == "vanishing_gradients"
        assert "'fc1'" in found[0].message and "'fc3'" in found[0].message
        assert "ReLU" in found[0].suggestion and "He" in found[0].suggestion


@pytest.mark.parametrize("first,saturated,flagged,cause", [
    (0.3, {"1": 0.65}, True, True),          # wide sigmoid N(0, 1): mild fall, heavy saturation
    (0.9, {"1": 0.05, "3": 0.24}, True, True),
    (0.3, {"1": 0.09}, False, False),        # saturation under the 0.1 bar
    (1.5, {"1": 0.9}, False, False),         # the gradient grows on its way back: not vanishing
    (1e-5, {"1": 0.5}, True, True),          # the plain rule fires, and the cause is still named
    (1e-5, {}, True, False),
])
def test_vanishing_with_saturation(first, saturated, flagged, cause):
    found = check_vanishing(NAMES, _norms(first, 1.0), saturated=saturated)
    assert bool(found) == flagged
    if flagged:
        assert ("Cause: saturation" in found[0].message) == cause
    if cause:
        assert "'3' 24%" in found[0].message or "'1' " in found[0].message


def test_zero_gradient_is_not_vanishing_but_no_gradient():
    norms = _norms(1.0, 1.0)
    norms[:, 0] = 0.0
    norms[:3, 1] = np.nan                    # steps without a gradient are left out
    assert check_vanishing(NAMES, norms) == []
    found = check_no_gradient(NAMES, norms)
    assert [f.layer for f in found] == ["fc1"] and "exactly 0 at all 20 step(s)" in found[0].message
    assert check_no_gradient(NAMES, np.full((4, 3), np.nan)) == []


def test_vanishing_needs_two_layers():
    assert check_vanishing(["fc1"], np.full((10, 1), 1e-9)) == []


@pytest.mark.parametrize("growth,flagged", [(1e5, True), (1e4, True), (1e2, False), (1e-2, False)])
def test_exploding_over_time(growth, flagged):
    steps = 25
    col = np.geomspace(1.0, growth, steps)
    norms = np.stack([col, col], axis=1)
    found = check_exploding(["a", "b"], norms)
    assert bool(found) == flagged
    if flagged:
        assert {f.layer for f in found} == {"a", "b"}
        assert "clip" in found[0].suggestion


@pytest.mark.parametrize("first,flagged", [(5e3, True), (10.0, False)])
def test_exploding_across_depth(first, flagged):
    found = check_exploding(NAMES, _norms(first, 1.0, steps=3))
    assert bool(found) == flagged


@pytest.mark.parametrize("losses,flagged,match", [
    ([2.3, 2.0, 1.5, np.nan, np.nan], True, "nan at step 4"),
    ([2.3, 2.0, np.inf], True, "inf at step 3"),
    (np.geomspace(1, 1e6, 30), True, "rose from"),
    (np.r_[np.linspace(2, 0.01, 40), np.full(10, 2.0)], True, "fell to"),
    ([1.4, 27, 7e4, 1e10, 1e12, 3e17, 4.8, 3.2, 2.2, 2.2, 2.5, 1.4, 1.5, 1.8, 2.2], True,
     "jumped from 1.4 to 1e+12 around steps 4-6 and ended at 1.8"),
    (np.r_[np.linspace(2, 0.01, 40), np.full(10, 0.05)], False, None),   # tiny absolute rebound
    (np.linspace(2.3, 0.1, 50), False, None),
    (2.3 + 0.3 * np.sin(np.arange(50)), False, None),    # noisy but flat
    ([1.0, 3.0], False, None),                           # too short to judge a trend
])
def test_diverging_rule(losses, flagged, match):
    found = check_diverging(np.asarray(losses, dtype=np.float64))
    assert bool(found) == flagged
    if flagged:
        assert match in found[0].message
        assert "learning rate" in found[0].suggestion


@pytest.mark.parametrize("fraction,flagged", [(0.9, True), (0.51, True), (0.5, False), (0.0, False)])
def test_dead_rule(fraction, flagged):
    dead = check_dead({"relu1": fraction})
    assert bool(dead) == flagged
    if flagged:
        assert dead[0].layer == "relu1" and "Leaky ReLU" in dead[0].suggestion
        assert f"{100 * fraction:.0f}%" in dead[0].message


@pytest.mark.parametrize("fraction,flagged", [(0.6, True), (0.26, True), (0.25, False), (0.0, False)])
def test_saturation_rule(fraction, flagged):
    sat = check_saturation({"sig1": fraction})
    assert bool(sat) == flagged
    if flagged:
        assert sat[0].layer == "sig1" and f"{100 * fraction:.0f}%" in sat[0].message
        assert "Xavier" in sat[0].suggestion


def test_non_finite_lists_places():
    found = check_non_finite([(3, "gradient of 'fc2'"), (3, "loss"), (4, "loss")])
    assert len(found) == 1 and "step 3" in found[0].message and "loss" in found[0].message
    assert check_non_finite([]) == []


def test_diagnose_healthy_is_empty_and_report_prints():
    norms = _norms(0.5, 1.0)
    report = diagnose(NAMES, norms, np.linspace(2.3, 0.2, 20), {"r": 0.1}, {"s": 0.05}, [])
    assert isinstance(report, Report) and report == []
    assert str(report) == "No problems found."


def test_diagnose_combines_and_formats():
    report = diagnose(NAMES, _norms(1e-6, 1.0), np.array([1.0, np.nan]), {"r": 0.8}, {}, [])
    assert report.kinds() == {"vanishing_gradients", "dead_relu", "diverging_loss"}
    lines = str(report).splitlines()
    assert len(lines) == 3 and all("Try: " in line for line in lines)
    assert lines[0].startswith("[diverging_loss]")


def test_thresholds_are_configurable():
    norms = _norms(1e-2, 1.0)
    assert diagnose(NAMES, norms, np.array([]), {}, {}, []) == []
    assert diagnose(NAMES, norms, np.array([]), {}, {}, [], vanishing_ratio=0.1).kinds() == {
        "vanishing_gradients"}


def test_finding_str():
    f = Finding("dead_relu", "msg.", "do this.", layer="relu1")
    assert str(f) == "[dead_relu] layer 'relu1': msg. Try: do this."
