"""``ember export RUN_DIR --format onnx``: the trained network in onnxruntime, noted in the report."""
import numpy as np
import pytest

from ember.cli.main import main

ort = pytest.importorskip("onnxruntime")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs") / "iris"
    assert main(["train", "iris", "--epochs", "2", "--out", str(folder)]) == 0
    return folder


def test_export_runs_in_onnxruntime_like_predict(run_dir, capsys):
    from ember.cli import rundir
    from ember.cli.trainer import predict_outputs
    assert main(["export", str(run_dir), "--format", "onnx"]) == 0
    assert "exported" in capsys.readouterr().out
    record = rundir.read_run(str(run_dir), need=(rundir.CONFIG, rundir.MODEL))
    model = rundir.load_model(str(run_dir), record)
    x = np.random.default_rng(0).standard_normal((7, 4)).astype(np.float32)
    session = ort.InferenceSession(str(run_dir / "model.onnx"), providers=["CPUExecutionProvider"])
    got = session.run(None, {"features": x})[0]
    np.testing.assert_allclose(got, predict_outputs(model, x), rtol=1e-5, atol=1e-5)
    report = (run_dir / "report.html").read_text()
    assert report.count("<h2>Exports</h2>") == 1 and "model.onnx" in report
    assert main(["export", str(run_dir), "--out", str(run_dir / "again.onnx")]) == 0
    report = (run_dir / "report.html").read_text()
    assert report.count("<h2>Exports</h2>") == 1 and "again.onnx" in report


@pytest.mark.parametrize("argv, message", [
    (["export", "{run}", "--format", "tflite"], "invalid choice: 'tflite'"),
    (["export", "{run}", "--opset", "5"], "opset_version must be an int from 17"),
    (["export", "{missing}"], "is not a run folder"),
])
def test_bad_export_requests_are_one_line_errors(run_dir, argv, message, capsys, tmp_path):
    argv = [a.format(run=run_dir, missing=tmp_path / "missing") for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
