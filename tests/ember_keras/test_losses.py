"""keras.losses on ember against Keras 3 (torch backend): every loss function per sample, every
loss class with its arguments, the reductions, sample weights of several ranks, targets that
Keras broadcasts (a (N,) target against (N, 1) or (N, k) predictions), and the gradient with
respect to the predictions."""
import numpy as np
import pytest

import ember
from ember import keras as ek

RNG = np.random.default_rng(11)
LOGITS = RNG.normal(size=(6, 4)).astype(np.float32)
PROBS = (np.exp(LOGITS) / np.exp(LOGITS).sum(1, keepdims=True)).astype(np.float32)
SIG = (1 / (1 + np.exp(-LOGITS))).astype(np.float32)
BIN = (RNG.random((6, 4)) > 0.5).astype(np.float32)
ONEHOT = np.eye(4, dtype=np.float32)[RNG.integers(0, 4, 6)]
LABELS = RNG.integers(0, 4, 6)
REG_T = RNG.normal(size=(6, 4)).astype(np.float32)
POS_T = RNG.uniform(0.1, 3, size=(6, 4)).astype(np.float32)
SIGNS = np.where(BIN > 0, 1.0, -1.0).astype(np.float32)
EMB = LOGITS / np.linalg.norm(LOGITS, axis=1, keepdims=True)
GROUPS = np.array([0, 1, 0, 1, 2, 2])

FUNCTIONS = [  # (name, y_true, y_pred, kwargs)
    ("mean_squared_error", REG_T, LOGITS, {}), ("mean_absolute_error", REG_T, LOGITS, {}),
    ("mean_absolute_percentage_error", REG_T, LOGITS, {}),
    ("mean_squared_logarithmic_error", POS_T, SIG, {}), ("cosine_similarity", REG_T, LOGITS, {}),
    ("cosine_similarity", REG_T, LOGITS, {"axis": 0}), ("huber", REG_T, LOGITS, {}),
    ("huber", REG_T, LOGITS, {"delta": 0.3}), ("log_cosh", REG_T, LOGITS, {}),
    ("kl_divergence", ONEHOT, PROBS, {}), ("poisson", POS_T, SIG, {}),
    ("hinge", BIN, LOGITS, {}), ("hinge", SIGNS, LOGITS, {}), ("squared_hinge", BIN, LOGITS, {}),
    ("categorical_hinge", ONEHOT, LOGITS, {}), ("binary_crossentropy", BIN, SIG, {}),
    ("binary_crossentropy", BIN, LOGITS, {"from_logits": True, "label_smoothing": 0.2}),
    ("binary_focal_crossentropy", BIN, SIG, {}),
    ("binary_focal_crossentropy", BIN, LOGITS, {"from_logits": True, "apply_class_balancing": True,
                                                "gamma": 1.5}),
    ("categorical_crossentropy", ONEHOT, PROBS, {}),
    ("categorical_crossentropy", ONEHOT, LOGITS, {"from_logits": True, "label_smoothing": 0.1}),
    ("categorical_focal_crossentropy", ONEHOT, PROBS, {}),
    ("categorical_focal_crossentropy", ONEHOT, LOGITS, {"from_logits": True, "alpha": 0.5}),
    ("sparse_categorical_crossentropy", LABELS, PROBS, {}),
    ("sparse_categorical_crossentropy", LABELS[:, None], LOGITS, {"from_logits": True}),
    ("sparse_categorical_crossentropy", LABELS, LOGITS, {"from_logits": True, "ignore_class": 2}),
    ("categorical_generalized_cross_entropy", LABELS, PROBS, {"q": 0.7}),
    ("dice", BIN, SIG, {}), ("dice", BIN, SIG, {"axis": 1}), ("tversky", BIN, SIG, {}),
    ("tversky", BIN, SIG, {"alpha": 0.7, "beta": 0.3, "axis": -1}),
    ("circle", GROUPS, EMB, {}), ("circle", GROUPS, EMB, {"remove_diagonal": False, "gamma": 10}),
    # Keras broadcasts a target against the prediction rather than refusing it
    ("mean_squared_error", REG_T[:, 0], LOGITS[:, :1], {}),
    ("mean_squared_error", REG_T[0], LOGITS, {}), ("mean_absolute_error", REG_T[:, :1], LOGITS, {}),
]


def _np(value):
    return value.detach().numpy() if isinstance(value, ember.Tensor) else value.detach().cpu().numpy()


@pytest.mark.parametrize("name,y_true,y_pred,kwargs", FUNCTIONS,
                         ids=[f"{f[0]}-{i}" for i, f in enumerate(FUNCTIONS)])
def test_loss_functions_match_keras(keras_ref, name, y_true, y_pred, kwargs):
    def run(mod):  # Keras's functions are written for tensors: each library gets its own
        y_t, y_p = mod.ops.convert_to_tensor(y_true), mod.ops.convert_to_tensor(y_pred)
        return _np(getattr(mod.losses, name)(y_t, y_p, **kwargs))
    ref, ours = run(keras_ref), run(ek)
    assert ours.dtype == ref.dtype == np.float32 and ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, rtol=2e-5, atol=2e-6)


CLASSES = [  # (class, kwargs, y_true, y_pred, sample_weight)
    ("MeanSquaredError", {}, REG_T, LOGITS, None),
    ("MeanSquaredError", {"reduction": "sum"}, REG_T, LOGITS, np.linspace(0, 1, 6)),
    ("MeanSquaredError", {"reduction": None}, REG_T, LOGITS, None),
    ("MeanSquaredError", {"reduction": "mean_with_sample_weight"}, REG_T, LOGITS, np.linspace(0, 1, 6)),
    ("MeanSquaredError", {}, REG_T[:, 0], LOGITS[:, :1], np.linspace(0.5, 1, 6)),
    ("BinaryCrossentropy", {}, BIN[:, 0], SIG[:, :1], None),
    ("MeanAbsoluteError", {"reduction": "none"}, REG_T, LOGITS, np.linspace(0, 1, 6)[:, None]),
    ("MeanAbsolutePercentageError", {}, REG_T, LOGITS, None),
    ("MeanSquaredLogarithmicError", {}, POS_T, SIG, None),
    ("CosineSimilarity", {"axis": 1}, REG_T, LOGITS, None), ("Huber", {"delta": 0.5}, REG_T, LOGITS, None),
    ("LogCosh", {}, REG_T, LOGITS, np.linspace(0, 2, 6)), ("Hinge", {}, BIN, LOGITS, None),
    ("SquaredHinge", {}, SIGNS, LOGITS, None), ("CategoricalHinge", {}, ONEHOT, LOGITS, None),
    ("KLDivergence", {}, ONEHOT, PROBS, None), ("Poisson", {}, POS_T, SIG, None),
    ("BinaryCrossentropy", {"from_logits": True}, BIN, LOGITS, np.linspace(0, 1, 6)),
    ("BinaryCrossentropy", {"label_smoothing": 0.1}, BIN, SIG, None),
    ("BinaryFocalCrossentropy", {"gamma": 3.0, "apply_class_balancing": True}, BIN, SIG, None),
    ("CategoricalCrossentropy", {"from_logits": True}, ONEHOT, LOGITS, np.linspace(0, 1, 6)),
    ("CategoricalFocalCrossentropy", {}, ONEHOT, PROBS, None),
    ("SparseCategoricalCrossentropy", {}, LABELS, PROBS, None),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 1}, LABELS, LOGITS, None),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 0,
                                       "reduction": "sum"}, LABELS[:, None], LOGITS, np.linspace(0, 1, 6)),
    ("CategoricalGeneralizedCrossEntropy", {"q": 0.3}, LABELS, PROBS, None),
    ("Dice", {}, BIN, SIG, None), ("Dice", {"axis": 1}, BIN, SIG, np.linspace(0, 1, 6)),
    ("Tversky", {"alpha": 0.3, "beta": 0.7}, BIN, SIG, None), ("Circle", {}, GROUPS, EMB, None),
    ("Circle", {"gamma": 20.0, "margin": 0.2}, GROUPS, EMB, None),
]


def _as_f32(x):
    return None if x is None else np.asarray(x, np.float32)


@pytest.mark.parametrize("name,kwargs,y_true,y_pred,sw", CLASSES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CLASSES)])
def test_loss_classes_match_keras_values_and_gradients(keras_ref, name, kwargs, y_true, y_pred, sw):
    import torch
    pred_ref = torch.tensor(y_pred.copy(), requires_grad=True)
    ref = getattr(keras_ref.losses, name)(**kwargs)(y_true, pred_ref, _as_f32(sw))
    pred = ember.tensor(y_pred.copy(), requires_grad=True)
    ours = getattr(ek.losses, name)(**kwargs)(y_true, pred, sample_weight=_as_f32(sw))
    assert ours.dtype == ember.float32
    np.testing.assert_allclose(_np(ours), _np(ref), rtol=2e-5, atol=2e-6)
    weights = np.linspace(1, 2, int(np.prod(ours.shape))).reshape(ours.shape).astype(np.float32)
    (ref * torch.tensor(weights)).sum().backward()
    (ours * ember.tensor(weights)).sum().backward()
    np.testing.assert_allclose(pred.grad.numpy(), pred_ref.grad.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", sorted({c[0] for c in CLASSES}))
def test_loss_class_config_and_name_match_keras(keras_ref, name):
    ref, ours = getattr(keras_ref.losses, name)(), getattr(ek.losses, name)()
    assert ours.name == ref.name and ours.reduction == ref.reduction
    ref_cfg = ref.get_config()
    ours_cfg = ours.get_config()
    assert {k: v for k, v in ours_cfg.items() if k in ref_cfg} == ref_cfg
    clone = type(ours).from_config(ours_cfg)
    assert clone.get_config() == ours_cfg


def test_custom_loss_subclass_like_keras(keras_ref):
    def make(mod):
        class Scaled(mod.losses.Loss):
            def __init__(self, factor=2.0, **kwargs):
                super().__init__(**kwargs)
                self.factor = factor

            def call(self, y_true, y_pred):
                return mod.ops.mean(mod.ops.square(y_true - y_pred), axis=-1) * self.factor
        return Scaled(name="scaled")
    ref = make(keras_ref)(REG_T, LOGITS, np.linspace(0, 1, 6).astype(np.float32))
    ours = make(ek)(REG_T, LOGITS, np.linspace(0, 1, 6).astype(np.float32))
    np.testing.assert_allclose(_np(ours), _np(ref), rtol=1e-6)


@pytest.mark.parametrize("identifier", ["mse", "MSE", "mae", "kld", "KLD", "bce", "huber", "log_cosh",
                                        "categorical_crossentropy", "BinaryCrossentropy",
                                        "binary_focal_crossentropy", "dice", "tversky"])
def test_get_resolves_names_like_keras(keras_ref, identifier):
    ref, ours = keras_ref.losses.get(identifier), ek.losses.get(identifier)
    assert type(ours).__name__ == type(ref).__name__ or ours.__name__ == ref.__name__


def test_bad_arguments_raise_keras_errors():
    with pytest.raises(ValueError, match="reduction=avg"):
        ek.losses.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError, match="q must be in the interval"):
        ek.losses.CategoricalGeneralizedCrossEntropy(q=1.5)
    with pytest.raises(TypeError, match="unexpected keyword argument 'from_logit'"):
        ek.losses.BinaryCrossentropy(from_logit=True)
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        ek.losses.get("not_a_loss")
