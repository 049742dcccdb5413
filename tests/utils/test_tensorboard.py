"""ember.utils.tensorboard.SummaryWriter against torch.utils.tensorboard.SummaryWriter: the same
calls give the same events (tag, step, wall time and summary protocol buffer, byte for byte),
read back with TensorBoard's own readers (EventFileLoader, EventAccumulator)."""
import os

import numpy as np
import pytest

pytest.importorskip("tensorboard")
torch = pytest.importorskip("torch")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader  # noqa: E402
from torch.utils.tensorboard import SummaryWriter as TorchWriter  # noqa: E402

import ember  # noqa: E402
from ember.utils.tensorboard import SummaryWriter  # noqa: E402

RNG = np.random.default_rng(0)
VALUES = RNG.normal(size=(40, 5)).astype(np.float32)
PICTURE = RNG.uniform(size=(3, 6, 7)).astype(np.float32)


def _figure():
    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=40)
    ax.plot([0, 1, 2], [1, 0, 2])
    return fig


def _tensor(lib, array):
    return lib.tensor(array)


CALLS = {  # name -> fn(writer, lib) making the same calls through either library
    "scalar": lambda w, lib: [w.add_scalar("loss/train", 1.0 / (i + 1), i, walltime=100.0 + i)
                              for i in range(5)],
    "scalar_tensor": lambda w, lib: w.add_scalar("t", _tensor(lib, np.float32(2.5)), 3,
                                                 walltime=1.0),
    "scalar_new_style": lambda w, lib: w.add_scalar("n", 0.125, 7, walltime=1.0, new_style=True),
    "scalar_double": lambda w, lib: w.add_scalar("d", 1 / 3, 1, walltime=1.0, new_style=True,
                                                 double_precision=True),
    "scalars": lambda w, lib: [w.add_scalars("run/a", {"sin": float(np.sin(i)),
                                                       "cos": float(np.cos(i))}, i, walltime=5.0)
                               for i in range(3)],
    "histogram": lambda w, lib: w.add_histogram("w", _tensor(lib, VALUES), 2, walltime=1.0),
    "histogram_bins": lambda w, lib: w.add_histogram("w", VALUES, 0, bins=10, walltime=1.0),
    "histogram_max_bins": lambda w, lib: w.add_histogram("w", VALUES, 0, bins=50, max_bins=7,
                                                         walltime=1.0),
    "histogram_auto": lambda w, lib: w.add_histogram("w", VALUES * 3 + 1, 4, bins="auto",
                                                     walltime=1.0),
    "text": lambda w, lib: w.add_text("notes", "**lr** = 0.1", 3, walltime=2.0),
    "image_chw": lambda w, lib: w.add_image("img", _tensor(lib, PICTURE), 1, walltime=1.0),
    "image_hwc_uint8": lambda w, lib: w.add_image(
        "img", (PICTURE.transpose(1, 2, 0) * 255).astype(np.uint8), 1, walltime=1.0,
        dataformats="HWC"),
    "image_hw": lambda w, lib: w.add_image("img", PICTURE[0], 1, walltime=1.0, dataformats="HW"),
    "images": lambda w, lib: w.add_images("imgs", np.stack([PICTURE] * 10), 0, walltime=1.0),
    "figure": lambda w, lib: w.add_figure("fig", _figure(), 5, walltime=1.0),
    "figures": lambda w, lib: w.add_figure("fig", [_figure(), _figure()], 5, walltime=1.0),
    "hparams": lambda w, lib: w.add_hparams(
        {"lr": 0.01, "bsize": 32, "opt": "adam", "bn": True, "skip": None},
        {"hparam/accuracy": 0.9, "hparam/loss": 0.3}, run_name="trial0", global_step=1),
    "hparams_discrete": lambda w, lib: w.add_hparams(
        {"opt": "sgd", "units": 64}, {"acc": 0.5},
        hparam_domain_discrete={"opt": ["sgd", "adam"], "units": [32, 64]}, run_name="t1"),
}


def _events(log_dir, with_time=True):
    """{sub-folder: [(step, wall_time, serialized summary)]} of every summary event (wall_time
    None when ``with_time`` is false: add_hparams takes no walltime)."""
    out = {}
    for root, _, files in os.walk(log_dir):
        for name in sorted(f for f in files if f.startswith("events.out.tfevents")):
            for event in EventFileLoader(os.path.join(root, name)).Load():
                if event.HasField("summary"):
                    out.setdefault(os.path.relpath(root, log_dir), []).append(
                        (event.step, event.wall_time if with_time else None, event.summary.SerializeToString()))
    return out


@pytest.mark.parametrize("name", sorted(CALLS))
def test_events_match_torch(tmp_path, name):
    for lib, writer_cls, folder in ((ember, SummaryWriter, "ember"), (torch, TorchWriter, "torch")):
        with writer_cls(str(tmp_path / folder)) as writer:
            CALLS[name](writer, lib)
    timed = not name.startswith("hparams")
    ours, theirs = _events(tmp_path / "ember", timed), _events(tmp_path / "torch", timed)
    assert theirs and ours.keys() == theirs.keys()
    for folder in theirs:
        assert ours[folder] == theirs[folder], folder


def test_scalars_read_back_with_event_accumulator(tmp_path):
    values = RNG.normal(size=12)
    with SummaryWriter(str(tmp_path)) as writer:
        for step, value in enumerate(values):
            writer.add_scalar("Loss/train", value, step * 10)
        writer.add_scalars("cmp", {"a": 1.5, "b": -2.0}, 3)
        writer.add_histogram("h", VALUES, 9)
        writer.add_text("t", "hello", 4)
    acc = EventAccumulator(str(tmp_path), size_guidance={"scalars": 0}).Reload()
    events = acc.Scalars("Loss/train")
    assert [e.step for e in events] == [10 * i for i in range(12)]
    np.testing.assert_allclose([e.value for e in events], values.astype(np.float32), rtol=0)
    histo = acc.Histograms("h")[0]
    assert histo.step == 9 and histo.histogram_value.num == VALUES.size
    assert histo.histogram_value.min == pytest.approx(float(VALUES.min()))
    assert histo.histogram_value.max == pytest.approx(float(VALUES.max()))
    assert sum(histo.histogram_value.bucket) == VALUES.size
    assert acc.Tensors("t/text_summary")[0].tensor_proto.string_val == [b"hello"]
    sub = EventAccumulator(str(tmp_path / "cmp_a")).Reload()
    assert [(e.step, e.value) for e in sub.Scalars("cmp")] == [(3, 1.5)]


def test_default_log_dir_and_comment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    writer = SummaryWriter(comment="_LR_0.1")
    parts = os.path.normpath(writer.get_logdir()).split(os.sep)
    assert parts[0] == "runs" and parts[1].endswith("_LR_0.1")
    assert os.path.isdir(writer.log_dir) and os.listdir(writer.log_dir)[0].startswith(
        "events.out.tfevents")
    writer.close()
    writer.close()  # a second close does nothing, as torch's
    assert SummaryWriter(str(tmp_path / "x"), comment="ignored").log_dir == str(tmp_path / "x")


def test_purge_step_and_flush(tmp_path):
    with SummaryWriter(str(tmp_path)) as writer:
        for step in range(5):
            writer.add_scalar("a", step, step)
    with SummaryWriter(str(tmp_path), purge_step=3) as writer:
        writer.add_scalar("a", 30.0, 3)
        writer.flush()
        acc = EventAccumulator(str(tmp_path)).Reload()
        assert [(e.step, e.value) for e in acc.Scalars("a")] == [(0, 0), (1, 1), (2, 2), (3, 30)]


@pytest.mark.parametrize("call, error", [
    (lambda w: w.add_scalar("a", np.ones(3)), AssertionError),
    (lambda w: w.add_histogram("h", np.array([])), ValueError),
    (lambda w: w.add_image("i", np.zeros((3, 4))), ValueError),
    (lambda w: w.add_image("i", np.zeros((4, 4)), dataformats="HH"), ValueError),
    (lambda w: w.add_hparams({"lr": [0.1]}, {"acc": 1.0}), ValueError),
    (lambda w: w.add_hparams([("lr", 0.1)], {"acc": 1.0}), TypeError),
    (lambda w: w.add_graph(None), NotImplementedError),
])
def test_bad_input(tmp_path, call, error):
    with SummaryWriter(str(tmp_path)) as writer:
        with pytest.raises(error):
            call(writer)


def test_log_dir_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OSError, match="file"):
        SummaryWriter(str(blocker / "logs"))
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        with pytest.raises(PermissionError, match="locked"):
            SummaryWriter(str(locked / "logs"))
        assert not os.listdir(locked)
    finally:
        locked.chmod(0o700)
