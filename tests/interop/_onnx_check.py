"""The check the ONNX export tests share: a file run in onnxruntime gives ember's outputs."""
import numpy as np

import ember


def assert_runs_as_ember(session, model, feeds) -> None:
    """Each ``feed`` (``{input name: array}``, in the model's argument order) gives, in
    ``session``, float32 outputs of ember's shapes and values (1e-5)."""
    for feed in feeds:
        with ember.no_grad():
            expected = ember.onnx.trace.flatten(model(*(ember.tensor(v) for v in feed.values())))
        got = session.run(None, feed)
        assert len(got) == len(expected)
        for a, b in zip(got, expected):
            assert a.dtype == b.numpy().dtype == np.float32 and a.shape == tuple(b.shape)
            np.testing.assert_allclose(a, b.numpy(), rtol=1e-5, atol=1e-5)
