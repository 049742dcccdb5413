"""Model files edited and re-saved with a valid checksum: ``load_model``/``load_weights`` check
the structure, refuse a config that asks for more weights than the file holds before anything is
allocated, and check optimizer state against the model; each case is one clear error."""
import tracemalloc

import numpy as np
import pytest

import ember
from ember import keras


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    ember.manual_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 4), np.float32), np.zeros((8, 2), np.float32), epochs=1, verbose=0)
    folder = tmp_path_factory.mktemp("keras")
    model.save(folder / "m.keras")
    model.save_weights(folder / "m.weights.safetensors")  # ember's own weights file
    return folder, ember.load(folder / "m.keras")


def _layers(s):
    return s["model"]["config"]["layers"]


def _set(s, key, value):
    s[key] = value


EDITS = {
    # (edit of the loaded state, words of the error)
    "dense_30000": (lambda s: _layers(s)[1]["config"].update(units=30000),
                    "asks for a weight of shape (4, 30000) (120,000 values)"),
    "both_dense_30000": (lambda s: [_layers(s)[i]["config"].update(units=30000) for i in (1, 2)],
                         "asks for a weight of shape (4, 30000)"),
    "input_billion": (lambda s: [_layers(s)[0]["config"].update(batch_shape=[None, 10**9]),
                                 _layers(s)[1]["build_config"].update(input_shape=[None, 10**9])],
                      "asks for a weight of shape (1000000000, 3)"),
    "units_negative": (lambda s: _layers(s)[1]["config"].update(units=-3), "units"),
    "units_string": (lambda s: _layers(s)[1]["config"].update(units="3"), "units"),
    "no_model_class": (lambda s: s["model"].pop("class_name"), "model lacks the key(s) 'class_name'"),
    "config_list": (lambda s: s["model"].update(config=[1]), "model.config must be an object"),
    "layers_number": (lambda s: s["model"]["config"].update(layers=5), "'int' object is not iterable"),
    "layer_not_object": (lambda s: _layers(s).__setitem__(1, "Dense"), "cannot be restored"),
    "weights_dict": (lambda s: _set(s, "weights", {"a": 1}), "weights must be a list"),
    "weight_string": (lambda s: s["weights"].__setitem__(0, "w"), "weights[0] must be a numeric array"),
    "weight_shape": (lambda s: s["weights"].__setitem__(0, np.zeros((3, 4), np.float32)),
                     "/kernel has shape (3, 4) in the file but (4, 3)"),
    "weight_missing": (lambda s: s["weights"].pop(), "asks for a weight of shape (2,) (2 values)"),
    "weight_extra": (lambda s: s["weights"].append(np.zeros(2, np.float32)), "holds 5 weights but model"),
    "compile_list": (lambda s: _set(s, "compile_config", [1]), "compile_config must be null or"),
    "optimizer_number": (lambda s: _set(s, "optimizer", 3), "optimizer must be null or"),
    "optimizer_slot_shape": (lambda s: s["optimizer"].update({"0/momentum": np.zeros(1, np.float32)}),
                             "Saved optimizer state '0/momentum' has shape (1,)"),
    "optimizer_no_iterations": (lambda s: s["optimizer"].pop("iterations"), "no valid 'iterations'"),
    "optimizer_iterations_negative": (lambda s: s["optimizer"].update(iterations=np.array([-4])),
                                      "no valid 'iterations'"),
    "optimizer_slot_missing": (lambda s: s["optimizer"].pop("1/velocity"), "lacks '1/velocity'"),
    "optimizer_unknown": (lambda s: s["compile_config"]["optimizer"].update(class_name="Nope"), "Nope"),
}


def _edited(saved, tmp_path, edit):
    import copy
    state = copy.deepcopy(saved[1])
    edit(state)
    path = tmp_path / "edited.keras"
    ember.save(state, path)
    return path


@pytest.mark.parametrize("name", EDITS)
def test_an_edited_model_file_raises_one_clear_error(saved, tmp_path, name):
    edit, words = EDITS[name]
    path = _edited(saved, tmp_path, edit)
    tracemalloc.start()
    try:
        with pytest.raises((ValueError, TypeError)) as info:
            keras.models.load_model(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert words in str(info.value)
    assert not isinstance(info.value, (KeyError, IndexError, AttributeError))
    assert peak < 16 << 20, peak  # nothing near what the config asks for is allocated


def test_load_model_on_a_weights_file_names_load_weights(saved):
    with pytest.raises(ValueError, match=r"holds only weights .* model.load_weights"):
        keras.models.load_model(saved[0] / "m.weights.safetensors")


@pytest.mark.parametrize("path, words", [("/dev/zero", "character device"), ("/nonexistent.keras", "No file")])
def test_load_weights_refuses_special_and_missing_paths(saved, path, words):
    model = keras.models.load_model(saved[0] / "m.keras")
    with pytest.raises((ValueError, FileNotFoundError), match=words):
        model.load_weights(path)


@pytest.mark.parametrize("name", ["other.weights.safetensors", "other.weights.h5"])
def test_load_weights_checks_shapes_and_leaves_weights_untouched(saved, tmp_path, name):
    """ember's weights file and Keras's .weights.h5 layout both refuse another architecture."""
    model = keras.models.load_model(saved[0] / "m.keras")
    before = [w.copy() for w in model.get_weights()]
    other = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3), keras.layers.Dense(2)])
    other.save_weights(tmp_path / name)
    with pytest.raises(ValueError, match=r"has shape \(5, 3\) in the file.* but \(4, 3\)"):
        model.load_weights(tmp_path / name)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_the_untouched_file_still_loads_and_predicts_the_same(saved):
    model = keras.models.load_model(saved[0] / "m.keras")
    again = keras.models.load_model(saved[0] / "m.keras")
    x = np.ones((2, 4), np.float32)
    np.testing.assert_array_equal(model.predict(x, verbose=0), again.predict(x, verbose=0))
    assert model.optimizer.iterations == 1
