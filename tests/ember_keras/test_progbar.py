"""Keras-looking progress output: silent at 0, one line per epoch at 2 or off a terminal."""
import io
import re

import numpy as np
import pytest

from ember import keras
from ember.keras.progbar import Progbar, format_time_per_step, format_value

X = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)
Y = (X[:, 0] > 0).astype(np.float32)


def _fit(verbose, capsys, **kw):
    model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid", input_shape=(3,))])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(X, Y, epochs=3, batch_size=16, verbose=verbose, **kw)
    return capsys.readouterr().out


def test_verbose_0_is_silent(capsys):
    assert _fit(0, capsys) == ""


def test_verbose_1_off_terminal_one_line_per_epoch(capsys):
    out = _fit(1, capsys, validation_split=0.25)
    lines = out.splitlines()
    assert "\r" not in out and "\b" not in out and len(lines) == 6
    assert lines[0] == "Epoch 1/3"
    assert re.fullmatch(r"3/3 ━{20} \d+s \d+(us|ms)/step - accuracy: \d\.\d{4} - loss: \d\.\d{4} "
                        r"- val_accuracy: \d\.\d{4} - val_loss: \d\.\d{4}", lines[1]), lines[1]


def test_verbose_2_line_format(capsys):
    lines = _fit(2, capsys).splitlines()
    assert len(lines) == 6
    assert re.fullmatch(r"4/4 - \d+s - \d+(us|ms)/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}",
                        lines[1]), lines[1]


def test_terminal_redraws_in_place():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    bar = Progbar(4, verbose=1, stream=stream, interval=0.0)
    for step in range(1, 5):
        bar.update(step, {"loss": 0.5})
    bar.finish({"loss": 0.25})
    text = stream.getvalue()
    assert text.count("\r") == 5 and text.endswith("- loss: 0.2500\n")
    assert "1/4 ━━━━━" in text


@pytest.mark.parametrize("value,text", [(0.28912, "0.2891"), (0.0001234, "1.2340e-04"),
                                        (12.5, "12.5000")])
def test_value_format(value, text):
    assert format_value(value) == text


@pytest.mark.parametrize("seconds,text", [(2.0, "2s/step"), (0.0021, "2ms/step"),
                                          (0.000213, "213us/step")])
def test_time_format(seconds, text):
    assert format_time_per_step(seconds) == text
