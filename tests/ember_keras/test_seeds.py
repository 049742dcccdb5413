"""Every Keras cell of the seeds runs with only the imports changed and behaves as the seeds show."""
import pathlib
import runpy

import numpy as np
import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def _run(name, capsys):
    ns = runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    return ns, capsys.readouterr().out


def test_xor_cell(capsys):
    ns, out = _run("seeds_keras_xor.py", capsys)
    model = ns["keras_model"]
    assert [type(l).__name__ for l in model.layers] == ["Dense", "Dense"]
    assert [w.shape for w in model.get_weights()] == [(2, 4), (4,), (4, 1), (1,)]
    assert out.count("Epoch ") == 100 and "Epoch 100/100" in out
    assert "1/1 ━━━━━━━━━━━━━━━━━━━━" in out and "- accuracy: " in out and "- loss: " in out
    assert "\r" not in out  # captured stdout is not a terminal: one line per epoch
    assert f"Final Loss: {ns['loss']:.4f}, Accuracy: {ns['accuracy']:.4f}" in out
    assert 0 <= ns["accuracy"] <= 1


def test_advanced_cells(capsys):
    ns, out = _run("seeds_keras_advanced.py", capsys)
    drop, bn = ns["model_dropout"], ns["model_batchnorm"]
    assert [type(l).__name__ for l in drop.layers] == ["Dense", "Dropout", "Dense"]
    assert drop.layers[1].rate == 0.5
    assert [type(l).__name__ for l in bn.layers] == ["Dense", "BatchNormalization", "Dense"]
    assert [w.shape for w in bn.layers[1].get_weights()] == [(4,)] * 4
    assert bn.layers[1].momentum == 0.99 and bn.layers[1].epsilon == 0.001
    assert ns["xavier_initializer"]((3, 5)).shape == (3, 5)
    assert ns["optimizer"].clipnorm == 1.0 and ns["keras_model"].optimizer is ns["optimizer"]
    lrs = ns["history"].history["learning_rate"]
    expected = 0.01 * np.exp(-0.1 * np.arange(1, 21))
    np.testing.assert_allclose(lrs, expected, rtol=1e-5)
    assert "learning_rate: 0.0090" in out and out.count("Epoch ") == 20


def test_optimizer_practice_cells(capsys):
    ns, out = _run("seeds_keras_optimizers.py", capsys)
    assert "Epoch 10/10\n1/1 ━━━━━━━━━━━━━━━━━━━━" in out  # batch_size=len(x_train): one step
    assert "57/57" in out  # mini-batches of 32 over 1797 digits
    assert "200/200" in out  # batch_size=1: one step per sample
    assert ns["model"].optimizer.learning_rate == pytest.approx(0.001)
    assert type(ns["model"].optimizer).__name__ == "Adam"


def test_regularization_cell_restores_best_weights(capsys):
    pytest.importorskip("sklearn")  # the seed splits and scales with scikit-learn
    ns, out = _run("seeds_keras_regularization.py", capsys)
    for name, hist in ns["histories"].items():
        h = hist.history
        assert list(h) == ["accuracy", "loss", "val_accuracy", "val_loss"]
        assert 1 <= len(h["loss"]) <= 50
        val_loss, _ = ns["models"][name].evaluate(ns["X_val"], ns["y_val"], verbose=0)
        # restore_best_weights: the final model is the one of the best epoch
        assert val_loss == pytest.approx(min(h["val_loss"]), rel=1e-5)
        assert f"{name} - Validation Loss: {val_loss:.4f}" in out
    assert "Training model with Elastic Net Regularization..." in out
