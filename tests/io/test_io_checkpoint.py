"""save_checkpoint / load_checkpoint: state dicts, RNG state, extras; corrupted files restore nothing."""
import numpy as np
import pytest

import ember
from ember.io import CorruptFileError, load_checkpoint, save_checkpoint


class Holder:
    """The smallest object with torch's state_dict protocol."""

    def __init__(self, value):
        self.w = ember.full((3,), value)

    def state_dict(self):
        return {"w": self.w.clone()}

    def load_state_dict(self, state):
        self.w = state["w"].clone()


@pytest.mark.parametrize("extra", [{}, {"epoch": 5, "step": 40, "history": {"loss": [1.0, 0.5]}},
                                   {"preprocessing": {"mean": [0.5, 1.5], "columns": ["a", "b"]}}])
def test_round_trip_restores_objects_rng_and_extras(extra, tmp_path):
    path = tmp_path / "ckpt.safetensors"
    ember.manual_seed(3)
    save_checkpoint(path, model=Holder(1.0), optimizer=Holder(2.0), **extra)
    expected_next = ember.rand(4)
    ember.manual_seed(99)
    model, opt = Holder(0.0), Holder(0.0)
    state = load_checkpoint(path, model=model, optimizer=opt)
    np.testing.assert_array_equal(model.w._data, np.ones(3, np.float32))
    np.testing.assert_array_equal(opt.w._data, np.full(3, 2.0, np.float32))
    np.testing.assert_array_equal(ember.rand(4)._data, expected_next._data)
    for key, value in extra.items():
        assert state[key] == value


def test_missing_part_and_wrong_kind_raise(tmp_path):
    path = tmp_path / "c.safetensors"
    save_checkpoint(path, model=Holder(1.0))
    with pytest.raises(ValueError, match="no scheduler state"):
        load_checkpoint(path, scheduler=Holder(0.0))
    ember.save({"w": ember.ones(1)}, tmp_path / "plain.safetensors")
    with pytest.raises(ValueError, match="not an ember checkpoint"):
        load_checkpoint(tmp_path / "plain.safetensors")


def test_corrupted_checkpoint_leaves_the_model_untouched(tmp_path):
    path = tmp_path / "c.safetensors"
    save_checkpoint(path, model=Holder(1.0))
    raw = bytearray(path.read_bytes())
    raw[-2] ^= 0xFF
    path.write_bytes(bytes(raw))
    model = Holder(7.0)
    with pytest.raises(CorruptFileError):
        load_checkpoint(path, model=model)
    np.testing.assert_array_equal(model.w._data, np.full(3, 7.0, np.float32))
