"""keras.utils on ember against Keras 3 (torch backend): pad_sequences, normalize,
to_categorical, split_dataset sizes, pack/unpack, PyDataset in fit, Progbar, Config."""
import math

import numpy as np
import pytest

from ember import keras as ek

SEQS = [[1, 2, 3], [4], [5, 6, 7, 8, 9], []]


@pytest.mark.parametrize("kwargs", [
    {}, {"maxlen": 3}, {"maxlen": 4, "padding": "post"}, {"maxlen": 2, "truncating": "post"},
    {"maxlen": 6, "value": -1, "dtype": "float32"}, {"dtype": "int64", "padding": "post",
                                                     "truncating": "post", "maxlen": 3}])
def test_pad_sequences_matches_keras(keras_ref, kwargs):
    ref = keras_ref.utils.pad_sequences(SEQS, **kwargs)
    ours = ek.utils.pad_sequences(SEQS, **kwargs)
    assert ours.dtype == ref.dtype
    np.testing.assert_array_equal(ours, ref)


def test_pad_sequences_of_vectors_and_errors(keras_ref):
    seqs = [np.ones((2, 3)), np.zeros((4, 3))]
    np.testing.assert_array_equal(ek.utils.pad_sequences(seqs, dtype="float32"),
                                  keras_ref.utils.pad_sequences(seqs, dtype="float32"))
    for kwargs, message in (({"padding": "middle"}, "Padding type"),
                            ({"truncating": "x"}, "Truncating type")):
        with pytest.raises(ValueError, match=message):
            ek.utils.pad_sequences(SEQS, **kwargs)
    with pytest.raises(ValueError, match="must be a list of iterables"):
        ek.utils.pad_sequences([1, 2])


@pytest.mark.parametrize("x,kwargs", [
    (np.array([[3.0, 4.0], [0.0, 0.0]], np.float32), {}),
    (np.array([[3.0, 4.0], [1.0, 2.0]]), {"axis": 0}),
    (np.array([[3.0, -4.0]], np.float32), {"order": 1})])
def test_normalize_matches_keras(keras_ref, x, kwargs):
    ref, ours = keras_ref.utils.normalize(x, **kwargs), ek.utils.normalize(x, **kwargs)
    assert isinstance(ours, np.ndarray) and ours.dtype == ref.dtype
    np.testing.assert_allclose(ours, ref, rtol=1e-6)


def test_to_categorical_values_match_keras(keras_ref):
    for labels, n in (([0, 2, 1], None), (np.array([[1], [3]]), 5), (np.array([[0, 1], [2, 0]]), 3)):
        ref = np.asarray(keras_ref.utils.to_categorical(labels, n))
        ours = ek.utils.to_categorical(labels, n)
        assert ours.dtype == np.float32  # Keras gives float64 for NumPy input; ember keeps float32
        np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize("left,right,sizes", [(0.8, None, (8, 2)), (None, 3, (7, 3)), (7, None, (7, 3)),
                                              (6, 2, (6, 2)), (0.25, 0.5, (2, 5))])
def test_split_dataset_sizes_match_keras(keras_ref, left, right, sizes):
    data = (np.arange(10, dtype=np.float32), np.arange(10) * 2)
    ours = ek.utils.split_dataset(data, left_size=left, right_size=right)
    assert tuple(len(p) for p in ours) == sizes
    if sum(sizes) == 10:  # Keras's torch backend refuses splits that leave samples out
        ref = keras_ref.utils.split_dataset(data, left_size=left, right_size=right)
        assert tuple(len(p) for p in ref) == sizes
    x0, y0 = ours[0][0]
    assert float(x0.numpy()) * 2 == float(y0.numpy()) == 0.0  # order kept, pairs kept
    shuffled = ek.utils.split_dataset(data, left_size=left, right_size=right, shuffle=True, seed=3)
    again = ek.utils.split_dataset(data, left_size=left, right_size=right, shuffle=True, seed=3)
    assert [float(s[0].numpy()) for s in shuffled[0]] == [float(s[0].numpy()) for s in again[0]]


@pytest.mark.parametrize("left,right,message", [
    (None, None, "At least one"), (0, None, "positive integer"), (1.5, None, "float within"),
    (0.7, 0.6, "greater than 1"), ("5", None, "Invalid `left_size` Type"), (8, 5, "should be smaller")])
def test_split_dataset_errors_match_keras(keras_ref, left, right, message):
    data = np.arange(10, dtype=np.float32)
    for mod in (keras_ref, ek):
        with pytest.raises((ValueError, TypeError), match=message):
            mod.utils.split_dataset(data, left_size=left, right_size=right)


@pytest.mark.parametrize("args", [(1,), (1, 2), (1, 2, 3), ((1, 2),), ([1],), (1, None, 3)])
def test_pack_and_unpack_match_keras(keras_ref, args):
    assert ek.utils.pack_x_y_sample_weight(*args) == keras_ref.utils.pack_x_y_sample_weight(*args)
    packed = keras_ref.utils.pack_x_y_sample_weight(*args)
    assert ek.utils.unpack_x_y_sample_weight(packed) == keras_ref.utils.unpack_x_y_sample_weight(packed)


def _batches(mod):
    class Batches(mod.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.batch_size = x, y, batch_size
            self.epochs_seen = 0

        def __len__(self):
            return math.ceil(len(self.x) / self.batch_size)

        def __getitem__(self, idx):
            part = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
            return self.x[part], self.y[part]

        def on_epoch_end(self):
            self.epochs_seen += 1
    return Batches


def test_py_dataset_trains_like_keras(keras_ref):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 4)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    keras_ref.utils.set_random_seed(0)
    models = {mod: mod.Sequential([mod.Input(shape=(4,)), mod.layers.Dense(1, activation="sigmoid")])
              for mod in (keras_ref, ek)}
    models[ek].set_weights(models[keras_ref].get_weights())
    hist, seen = {}, {}
    for mod, model in models.items():
        model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
        data = _batches(mod)(x, y, batch_size=16, workers=1)
        hist[mod] = model.fit(data, epochs=3, verbose=0, shuffle=False).history
        seen[mod] = data.epochs_seen
        assert data.num_batches == 4
    for key in hist[keras_ref]:
        np.testing.assert_allclose(hist[ek][key], hist[keras_ref][key], rtol=1e-5, atol=1e-6)
    assert seen[ek] == 3


def test_py_dataset_batch_order_is_shuffled_like_keras():
    """fit(shuffle=True) draws the batch order with Python's random, as Keras's adapter does."""
    class Recorded(ek.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.asked = []

        def __len__(self):
            return 6

        def __getitem__(self, idx):
            self.asked.append(idx)
            return np.full((2, 1), idx, np.float32), np.zeros((2, 1), np.float32)
    orders = []
    for _ in range(2):
        ek.utils.set_random_seed(11)
        data = Recorded()
        model = ek.Sequential([ek.Input(shape=(1,)), ek.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(data, epochs=2, verbose=0)
        orders.append(data.asked)
    assert orders[0] == orders[1]  # reproducible under set_random_seed
    first, second = orders[0][:6], orders[0][6:]
    assert sorted(first) == sorted(second) == list(range(6)) and first != second


def test_py_dataset_with_only_num_batches():
    class Endless(ek.utils.PyDataset):
        @property
        def num_batches(self):
            return 2

        def __getitem__(self, idx):
            return np.ones((3, 2), np.float32) * idx, np.zeros((3, 1), np.float32)
    data = Endless()
    assert len(data) == 2 and [b[0][0, 0] for b in data] == [0.0, 1.0]
    with pytest.raises(TypeError, match="__len__ or num_batches"):
        len(ek.utils.PyDataset())


def test_progbar_averages_values_like_keras(capsys):
    bar = ek.utils.Progbar(target=3, verbose=2, stateful_metrics=["lr"])
    bar.update(1, values=[("loss", 3.0), ("lr", 0.1)])
    bar.add(1, values=[("loss", 1.0), ("lr", 0.05)])
    bar.update(3, values=[("loss", 2.0)])
    out = capsys.readouterr().out
    assert "3/3" in out and "loss: 2.0000" in out and "lr: 0.0500" in out


def test_config_behaves_like_keras(keras_ref):
    for mod in (keras_ref, ek):
        config = mod.utils.Config(lr=0.1, layers=3)
        config.dropout = 0.5
        assert config.lr == 0.1 and config["dropout"] == 0.5 and len(config) == 3
        config.freeze()
        with pytest.raises((AttributeError, ValueError)):
            config.lr = 0.2
        assert config.as_dict() == {"lr": 0.1, "layers": 3, "dropout": 0.5}


def test_version_says_keras_3():
    assert ek.__version__.startswith("3.")
