"""The callback protocol against Keras 3 (torch backend): which hooks run, in which order, with
which arguments and which log keys, during fit (with validation), evaluate and predict; logs are
dicts of Python floats, never None; LambdaCallback's one-argument hooks; ModelCheckpoint every
``save_freq`` batches; TerminateOnNaN(raise_error); RemoteMonitor posting to a server."""
import http.server
import json
import threading
import urllib.parse

import numpy as np
import pytest

from ember import keras as ek

HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
         "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
         "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
         "on_predict_batch_begin", "on_predict_batch_end"]

RNG = np.random.default_rng(0)
X = RNG.normal(size=(20, 3)).astype(np.float32)
Y = (X[:, :1] > 0).astype(np.float32)


def _recorder(mod):
    class Recorder(mod.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.calls = []

    def make(hook):
        def fn(self, *args, **kwargs):
            logs = kwargs.get("logs", args[-1] if args and not isinstance(args[-1], int) else None)
            index = args[0] if args and isinstance(args[0], int) else None
            self.calls.append((hook, index, type(logs).__name__,
                               sorted(k for k in (logs or {}) if k != "outputs"),
                               all(isinstance(v, float) for k, v in (logs or {}).items()
                                   if k != "outputs")))
        return fn
    for hook in HOOKS:
        setattr(Recorder, hook, make(hook))
    return Recorder()


def _model(mod):
    model = mod.Sequential([mod.Input(shape=(3,)), mod.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    return model


@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_hook_sequence_and_logs_match_keras(keras_ref, call):
    sequences = {}
    for mod in (keras_ref, ek):
        model, rec = _model(mod), _recorder(mod)
        if call == "fit":
            model.fit(X, Y, batch_size=8, epochs=2, validation_split=0.25, verbose=0, callbacks=[rec])
        elif call == "evaluate":
            model.evaluate(X, Y, batch_size=8, verbose=0, callbacks=[rec])
        else:
            model.predict(X, batch_size=8, verbose=0, callbacks=[rec])
        sequences[mod] = rec.calls
    assert sequences[ek] == sequences[keras_ref]
    assert all(kind == "dict" and floats for _, _, kind, _, floats in sequences[ek])


def test_lambda_callback_one_argument_hooks_like_keras(keras_ref):
    seen = {}
    for mod in (keras_ref, ek):
        events = []
        cb = mod.callbacks.LambdaCallback(
            on_train_begin=lambda logs: events.append(("begin", dict(logs))),
            on_epoch_end=lambda epoch, logs: events.append(("epoch", epoch, sorted(logs))),
            on_train_end=lambda logs: events.append(("end", sorted(logs))),
            on_train_batch_end=lambda batch, logs: events.append(("batch", batch)),
            on_test_begin=lambda logs: events.append(("test", dict(logs))))
        _model(mod).fit(X, Y, batch_size=10, epochs=2, validation_data=(X, Y), verbose=0,
                        callbacks=[cb])
        seen[mod] = events
    assert seen[ek] == seen[keras_ref]
    assert seen[ek][0] == ("begin", {})


def test_model_checkpoint_every_n_batches_like_keras(keras_ref, tmp_path):
    names = {}
    for mod in (keras_ref, ek):
        folder = tmp_path / mod.__name__ / "sub"
        _model(mod).fit(X, Y, batch_size=4, epochs=2, verbose=0, callbacks=[
            mod.callbacks.ModelCheckpoint(str(folder / "ckpt-{epoch}-{batch}.keras"), save_freq=2)])
        names[mod] = sorted(p.name for p in folder.iterdir())
    assert names[ek] == names[keras_ref] and len(names[ek]) == 5  # 10 batches, counted across epochs
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        ek.callbacks.ModelCheckpoint(str(tmp_path / "m.keras"), save_freq="batch")


def test_model_checkpoint_save_best_only_without_the_monitor_saves_and_warns(tmp_path):
    path = tmp_path / "m.keras"
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available"):
        _model(ek).fit(X, Y, epochs=1, verbose=0,
                       callbacks=[ek.callbacks.ModelCheckpoint(str(path), save_best_only=True)])
    assert path.exists()


def test_terminate_on_nan_raise_error():
    model = ek.Sequential([ek.Input(shape=(3,)), ek.layers.Dense(1)])
    model.compile(optimizer=ek.optimizers.SGD(learning_rate=1e30), loss="mse")
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch"):
        with np.errstate(all="ignore"):
            model.fit(X * 1e10, Y, epochs=3, batch_size=4, verbose=0,
                      callbacks=[ek.callbacks.TerminateOnNaN(raise_error=True)])


@pytest.mark.parametrize("as_json", [False, True])
def test_remote_monitor_posts_each_epoch(as_json):
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append((self.path, self.headers["Content-Type"], body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monitor = ek.callbacks.RemoteMonitor(root=f"http://127.0.0.1:{server.server_port}",
                                             send_as_json=as_json)
        _model(ek).fit(X, Y, epochs=2, verbose=0, callbacks=[monitor])
    finally:
        server.shutdown()
        server.server_close()
    assert [r[0] for r in received] == ["/publish/epoch/end/"] * 2
    payloads = [json.loads(body) if as_json else json.loads(urllib.parse.parse_qs(body)["data"][0])
                for _, _, body in received]
    assert [p["epoch"] for p in payloads] == [0, 1]
    assert set(payloads[0]) == {"epoch", "loss", "accuracy"}


def test_remote_monitor_unreachable_server_warns():
    monitor = ek.callbacks.RemoteMonitor(root="http://127.0.0.1:9")
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server"):
        _model(ek).fit(X, Y, epochs=1, verbose=0, callbacks=[monitor])
