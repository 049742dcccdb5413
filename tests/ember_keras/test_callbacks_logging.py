"""CSVLogger (Keras's file byte for byte), TensorBoard (Keras's tags, read back with
TensorBoard's own EventAccumulator) and BackupAndRestore (an interrupted fit resumes where it
stopped, as Keras's does)."""
import json
import os

import numpy as np
import pytest

from ember import keras as ek

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

X = np.random.default_rng(0).normal(size=(24, 3)).astype(np.float32)
Y = (X[:, 0] + X[:, 1] > 0).astype(np.float32)


def _model(mod, seed=0):
    model = mod.Sequential([mod.Input(shape=(3,)), mod.layers.Dense(4, activation="relu"),
                            mod.layers.Dense(1, activation="sigmoid")])
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(size=w.shape).astype(np.float32) * 0.5
                       for w in model.get_weights()])
    model.compile(optimizer=mod.optimizers.Adam(learning_rate=0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


# ---- CSVLogger -------------------------------------------------------------------------------
EPOCH_LOGS = {
    "with_val": [{"loss": 0.5, "accuracy": 0.75, "val_loss": 0.625, "val_accuracy": 0.5},
                 {"loss": 0.25, "accuracy": 1.0, "val_loss": 0.375, "val_accuracy": 0.75}],
    "no_val": [{"loss": 0.5, "mae": 1.25}, {"loss": 0.125, "mae": 0.5}],
    "list_value": [{"loss": 0.5, "per_class": [0.1, 0.2]}],
    "missing_key": [{"loss": 0.5, "val_loss": 1.0}, {"loss": 0.25}],
    "text_value": [{"loss": 0.5, "note": "a,b"}],
}


def _drive_csv(mod, path, runs, **kwargs):
    for logs_list in runs:
        logger = mod.callbacks.CSVLogger(str(path), **kwargs)
        logger.on_train_begin()
        for epoch, logs in enumerate(logs_list):
            logger.on_epoch_end(epoch, dict(logs))
        logger.on_train_end()
    return path.read_bytes()


@pytest.mark.parametrize("kwargs", [{}, {"separator": ";"}, {"append": True}])
@pytest.mark.parametrize("case", sorted(EPOCH_LOGS))
def test_csv_logger_file_matches_keras(keras_ref, tmp_path, case, kwargs):
    runs = [EPOCH_LOGS[case]] * (2 if kwargs.get("append") else 1)
    ours = _drive_csv(ek, tmp_path / "ember.csv", runs, **kwargs)
    theirs = _drive_csv(keras_ref, tmp_path / "keras.csv", runs, **kwargs)
    assert ours == theirs


def test_csv_logger_in_fit_matches_keras_columns(keras_ref, tmp_path):
    texts = {}
    for mod in (keras_ref, ek):
        path = tmp_path / f"{mod.__name__}.csv"
        _model(mod).fit(X, Y, epochs=2, batch_size=8, verbose=0,
                        callbacks=[mod.callbacks.CSVLogger(str(path))])
        texts[mod] = path.read_text().splitlines()
    assert texts[ek][0] == texts[keras_ref][0] == "epoch,accuracy,loss,val_accuracy,val_loss"
    assert [row.split(",")[0] for row in texts[ek]] == [row.split(",")[0]
                                                        for row in texts[keras_ref]]
    assert all(row.endswith(",NA,NA") for row in texts[ek][1:])


# ---- TensorBoard -----------------------------------------------------------------------------
def _scalars(folder):
    acc = EventAccumulator(str(folder), size_guidance={"tensors": 0, "histograms": 0}).Reload()
    out = {}
    for tag in acc.Tags()["tensors"]:
        out[tag] = [(e.step, float(np.asarray(e.tensor_proto.float_val)[0]))
                    if e.tensor_proto.float_val else (e.step, e.tensor_proto.string_val[0])
                    for e in acc.Tensors(tag)]
    return out, acc


@pytest.mark.parametrize("update_freq", ["epoch", "batch", 2])
def test_tensorboard_tags_and_values(tmp_path, update_freq):
    model = _model(ek)
    tb = ek.callbacks.TensorBoard(log_dir=str(tmp_path / "logs"), histogram_freq=1,
                                  update_freq=update_freq)
    batches = []
    rec = ek.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: batches.append(logs))
    hist = model.fit(X, Y, epochs=3, batch_size=8, validation_split=0.25, verbose=0,
                     callbacks=[tb, rec]).history
    assert sorted(os.listdir(tmp_path / "logs")) == ["train", "validation"]
    train, acc = _scalars(tmp_path / "logs" / "train")
    val, _ = _scalars(tmp_path / "logs" / "validation")
    for key in ("loss", "accuracy"):
        assert train[f"epoch_{key}"] == [(e, pytest.approx(v)) for e, v in enumerate(hist[key])]
        assert val[f"epoch_{key}"] == [(e, pytest.approx(v))
                                       for e, v in enumerate(hist[f"val_{key}"])]
        steps_per_epoch = 18 // 8 + 1
        assert [s for s, _ in val[f"evaluation_{key}_vs_iterations"]] == [
            steps_per_epoch * (e + 1) for e in range(3)]
    assert train["epoch_learning_rate"] == [(e, pytest.approx(0.05)) for e in range(3)]
    freq = {"epoch": None, "batch": 1, 2: 2}[update_freq]
    if freq is None:
        assert not any(tag.startswith("batch_") for tag in train)
    else:
        expected = [(i + 1, pytest.approx(logs["loss"])) for i, logs in enumerate(batches)
                    if (i + 1) % freq == 0]
        assert train["batch_loss"] == expected
    weights = [w.path for layer in model.layers for w in layer.weights]
    assert sorted(acc.Tags()["histograms"]) == sorted(f"{p}/histogram" for p in weights)
    final = acc.Histograms(f"{weights[0]}/histogram")[-1]
    assert final.step == 2 and final.histogram_value.num == model.layers[0].weights[0].numpy().size
    graph = json.loads(train["keras"][0][1])
    assert train["keras"][0][0] == 0 and graph["class_name"] == "Sequential"


def test_tensorboard_unwritable_log_dir_stops_before_training(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    model = _model(ek)
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(OSError, match="file"):
        model.fit(X, Y, epochs=2, verbose=0,
                  callbacks=[ek.callbacks.TensorBoard(log_dir=str(blocker / "logs"))])
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


@pytest.mark.parametrize("kwargs", [{"update_freq": "sometimes"}, {"update_freq": 0},
                                    {"histogram_freq": -1}, {"profile_batch": 2},
                                    {"embeddings_freq": 1}, {"write_images": True}])
def test_tensorboard_bad_arguments(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        ek.callbacks.TensorBoard(**kwargs)


# ---- BackupAndRestore ------------------------------------------------------------------------
class _Interrupt(Exception):
    pass


def _crash_at(mod, epoch_to_crash):
    def on_epoch_begin(epoch, logs=None):
        if epoch == epoch_to_crash:
            raise _Interrupt
    return mod.callbacks.LambdaCallback(on_epoch_begin=on_epoch_begin)


def _interrupted_then_resumed(mod, backup_dir, crash_epoch=2, **kwargs):
    model = _model(mod)
    backup = mod.callbacks.BackupAndRestore(backup_dir=str(backup_dir), **kwargs)
    with pytest.raises(_Interrupt):
        model.fit(X, Y, epochs=5, batch_size=8, shuffle=False, verbose=0,
                  callbacks=[backup, _crash_at(mod, crash_epoch)])
    files = sorted(os.listdir(backup_dir))
    fresh = _model(mod, seed=1)  # other weights: the backup must replace them
    history = fresh.fit(X, Y, epochs=5, batch_size=8, shuffle=False, verbose=0,
                        callbacks=[mod.callbacks.BackupAndRestore(backup_dir=str(backup_dir),
                                                                  **kwargs)])
    return fresh, history, files


def test_backup_and_restore_resumes_like_keras(keras_ref, tmp_path):
    ours, ours_hist, ours_files = _interrupted_then_resumed(ek, tmp_path / "ember")
    theirs, theirs_hist, theirs_files = _interrupted_then_resumed(keras_ref, tmp_path / "keras")
    assert ours_hist.epoch == theirs_hist.epoch == [2, 3, 4]
    assert ours_files == ["latest.weights.safetensors", "training_metadata.json"]
    assert theirs_files == ["latest.weights.h5", "training_metadata.json"]
    assert not os.path.exists(tmp_path / "ember")  # a finished fit deletes the backup, as Keras
    straight = _model(ek)
    straight.fit(X, Y, epochs=5, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(ours.get_weights(), straight.get_weights()):  # optimizer state restored too
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("save_freq, crash_epoch", [(2, 3), (4, 2), ("epoch", 1)])
def test_backup_metadata_matches_keras(keras_ref, tmp_path, save_freq, crash_epoch):
    metas = []
    for mod in (ek, keras_ref):
        folder = tmp_path / mod.__name__
        backup = mod.callbacks.BackupAndRestore(backup_dir=str(folder), save_freq=save_freq,
                                                delete_checkpoint=False)
        with pytest.raises(_Interrupt):
            _model(mod).fit(X, Y, epochs=5, batch_size=8, verbose=0,
                            callbacks=[backup, _crash_at(mod, crash_epoch)])
        metas.append(json.loads((folder / "training_metadata.json").read_text()))
    assert metas[0] == metas[1]


def test_backup_double_checkpoint_falls_back_on_damage(tmp_path):
    model = _model(ek)
    kwargs = {"backup_dir": str(tmp_path), "double_checkpoint": True}
    with pytest.raises(_Interrupt):
        model.fit(X, Y, epochs=5, batch_size=8, verbose=0,
                  callbacks=[ek.callbacks.BackupAndRestore(**kwargs), _crash_at(ek, 3)])
    assert json.loads((tmp_path / "training_metadata.json.bkp").read_text())["epoch"] == 2
    (tmp_path / "latest.weights.safetensors").write_bytes(b"damaged")
    hist = _model(ek).fit(X, Y, epochs=4, batch_size=8, verbose=0,
                          callbacks=[ek.callbacks.BackupAndRestore(**kwargs)])
    assert hist.epoch == [2, 3]


@pytest.mark.parametrize("kwargs, match", [({"backup_dir": ""}, "Empty"),
                                           ({"backup_dir": "b", "save_freq": "often"}, "save_freq")])
def test_backup_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ek.callbacks.BackupAndRestore(**kwargs)
