"""keras.metrics on ember against Keras 3 (torch backend): every metric class accumulated over
two batches (with and without sample weights), reset, its config; the metric functions; a
custom Metric subclass written as in Keras's guide; and lookup by name."""
import numpy as np
import pytest

import ember
from ember import keras as ek

RNG = np.random.default_rng(21)
N, C = 30, 4
PROB1 = RNG.random((N, 1)).astype(np.float32)
BIN1 = (RNG.random((N, 1)) > 0.45).astype(np.float32)
LOGITS = RNG.normal(size=(N, C)).astype(np.float32)
PROBS = (np.exp(LOGITS) / np.exp(LOGITS).sum(1, keepdims=True)).astype(np.float32)
LABELS = RNG.integers(0, C, N)
ONEHOT = np.eye(C, dtype=np.float32)[LABELS]
MULTI = (RNG.random((N, C)) > 0.5).astype(np.float32)
REG_T = RNG.normal(size=(N, 3)).astype(np.float32)
REG_P = (REG_T + RNG.normal(scale=0.5, size=(N, 3))).astype(np.float32)
POS_T, POS_P = np.abs(REG_T) + 0.1, np.abs(REG_P) + 0.1
SIGNS = np.where(MULTI > 0, 1.0, -1.0).astype(np.float32)
SW = RNG.uniform(0.2, 2.0, N).astype(np.float32)
SEG_T, SEG_P = RNG.integers(0, 3, (N, 5)), RNG.integers(0, 3, (N, 5))

CASES = [  # (class, kwargs, y_true, y_pred)
    ("Accuracy", {}, LABELS, np.argmax(PROBS, 1)), ("BinaryAccuracy", {}, BIN1, PROB1),
    ("BinaryAccuracy", {"threshold": 0.7}, BIN1, PROB1), ("CategoricalAccuracy", {}, ONEHOT, PROBS),
    ("SparseCategoricalAccuracy", {}, LABELS, PROBS),
    ("SparseCategoricalAccuracy", {}, LABELS[:, None], PROBS),
    ("TopKCategoricalAccuracy", {"k": 2}, ONEHOT, PROBS),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, LABELS, PROBS),
    ("SparseTopKCategoricalAccuracy", {"k": 2, "from_sorted_ids": True}, LABELS,
     np.argsort(-PROBS, 1).astype(np.float32)),
    ("MeanSquaredError", {}, REG_T, REG_P), ("MeanAbsoluteError", {}, REG_T, REG_P),
    ("MeanAbsolutePercentageError", {}, REG_T, REG_P), ("MeanSquaredLogarithmicError", {}, POS_T, POS_P),
    ("RootMeanSquaredError", {}, REG_T, REG_P), ("CosineSimilarity", {}, REG_T, REG_P),
    ("CosineSimilarity", {"axis": 0}, REG_T, REG_P), ("LogCoshError", {}, REG_T, REG_P),
    ("PearsonCorrelation", {}, REG_T, REG_P), ("ConcordanceCorrelation", {}, REG_T, REG_P),
    ("R2Score", {}, REG_T, REG_P), ("R2Score", {"class_aggregation": None}, REG_T, REG_P),
    ("R2Score", {"class_aggregation": "variance_weighted_average", "num_regressors": 2}, REG_T, REG_P),
    ("BinaryCrossentropy", {}, BIN1, PROB1), ("BinaryCrossentropy", {"from_logits": True,
                                                                    "label_smoothing": 0.1}, MULTI, LOGITS),
    ("CategoricalCrossentropy", {}, ONEHOT, PROBS),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, ONEHOT, LOGITS),
    ("SparseCategoricalCrossentropy", {}, LABELS, PROBS),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS, LOGITS),
    ("KLDivergence", {}, ONEHOT, PROBS), ("Poisson", {}, POS_T, POS_P), ("Hinge", {}, MULTI, LOGITS),
    ("SquaredHinge", {}, SIGNS, LOGITS), ("CategoricalHinge", {}, ONEHOT, LOGITS),
    ("TruePositives", {}, BIN1, PROB1), ("FalsePositives", {"thresholds": [0.2, 0.6]}, BIN1, PROB1),
    ("TrueNegatives", {}, MULTI, PROBS), ("FalseNegatives", {"thresholds": 0.3}, BIN1, PROB1),
    ("TruePositives", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, BIN1, PROB1),
    ("Precision", {}, BIN1, PROB1), ("Precision", {"thresholds": [0.3, 0.6]}, BIN1, PROB1),
    ("Precision", {"top_k": 2}, MULTI, PROBS), ("Precision", {"class_id": 1}, MULTI, PROBS),
    ("Recall", {}, BIN1, PROB1), ("Recall", {"top_k": 1, "class_id": 2}, MULTI, PROBS),
    ("Recall", {"thresholds": [0.1, 0.5, 0.9]}, MULTI, PROBS),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, BIN1, PROB1),
    ("SpecificityAtSensitivity", {"sensitivity": 0.6, "num_thresholds": 50}, BIN1, PROB1),
    ("PrecisionAtRecall", {"recall": 0.5}, BIN1, PROB1),
    ("RecallAtPrecision", {"precision": 0.4, "class_id": 0}, MULTI, PROBS),
    ("AUC", {}, BIN1, PROB1), ("AUC", {"curve": "PR"}, BIN1, PROB1),
    ("AUC", {"curve": "PR", "summation_method": "majoring", "num_thresholds": 20}, BIN1, PROB1),
    ("AUC", {"summation_method": "minoring", "num_thresholds": 7}, MULTI, PROBS),
    ("AUC", {"curve": "PRGAIN"}, BIN1, PROB1), ("AUC", {"thresholds": [0.2, 0.5, 0.7]}, BIN1, PROB1),
    ("AUC", {"multi_label": True}, MULTI, PROBS),
    ("AUC", {"multi_label": True, "label_weights": [1.0, 2.0, 0.5, 1.0]}, MULTI, PROBS),
    ("AUC", {"from_logits": True, "label_weights": [1.0, 2.0, 0.5, 1.0]}, MULTI, LOGITS),
    ("F1Score", {}, ONEHOT, PROBS), ("F1Score", {"average": "macro", "threshold": 0.3}, MULTI, PROBS),
    ("FBetaScore", {"average": "micro", "beta": 2.0}, ONEHOT, PROBS),
    ("FBetaScore", {"average": "weighted", "beta": 0.5, "threshold": 0.4}, MULTI, PROBS),
    ("IoU", {"num_classes": 3, "target_class_ids": [0, 2]}, SEG_T, SEG_P),
    ("MeanIoU", {"num_classes": 3}, SEG_T, SEG_P), ("MeanIoU", {"num_classes": 3, "ignore_class": 1}, SEG_T, SEG_P),
    ("BinaryIoU", {}, BIN1, PROB1), ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, BIN1, PROB1),
    ("OneHotIoU", {"num_classes": C, "target_class_ids": [0, 1]}, ONEHOT, PROBS),
    ("OneHotMeanIoU", {"num_classes": C}, ONEHOT, PROBS),
]
# Keras refuses one weight per sample where the metric reduces over more than the last axis
NO_SAMPLE_WEIGHTS = {"CosineSimilarity-15", "IoU-62", "MeanIoU-63", "MeanIoU-64"}
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _np(value):
    return np.array(value.detach().numpy() if hasattr(value, "detach") else value, copy=True)


def _accumulate(mod, name, kwargs, y_true, y_pred, sample_weight):
    metric = getattr(mod.metrics, name)(**kwargs)
    for part in (slice(0, 13), slice(13, N)):
        sw = None if sample_weight is None else sample_weight[part]
        metric.update_state(y_true[part], y_pred[part], sample_weight=sw)
    return metric


@pytest.mark.parametrize("weighted", [False, True], ids=["plain", "weighted"])
@pytest.mark.parametrize("case", range(len(CASES)), ids=IDS)
def test_metric_classes_match_keras(keras_ref, case, weighted):
    name, kwargs, y_true, y_pred = CASES[case]
    if weighted and IDS[case] in NO_SAMPLE_WEIGHTS:
        pytest.skip("Keras itself refuses these sample weights")
    sw = SW if weighted else None
    ref = _accumulate(keras_ref, name, kwargs, y_true, y_pred, sw)
    ours = _accumulate(ek, name, kwargs, y_true, y_pred, sw)
    expected, got = _np(ref.result()), ours.result()
    assert isinstance(got, ember.Tensor)
    got = _np(got)
    assert got.dtype == expected.dtype and got.shape == expected.shape, (got, expected)
    np.testing.assert_allclose(got, expected, rtol=2e-5, atol=2e-6)
    ours.reset_state()
    ref.reset_state()
    np.testing.assert_allclose(_np(ours.result()), _np(ref.result()), rtol=1e-6, atol=1e-7,
                               equal_nan=True)


@pytest.mark.parametrize("name,kwargs,y_true,y_pred", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_metric_config_and_variables_match_keras(keras_ref, name, kwargs, y_true, y_pred):
    ref = getattr(keras_ref.metrics, name)(**kwargs)
    ours = getattr(ek.metrics, name)(**kwargs)
    ref.update_state(y_true, y_pred)
    ours.update_state(y_true, y_pred)
    ref_cfg, ours_cfg = ref.get_config(), ours.get_config()
    ref_cfg.pop("name"), ours_cfg.pop("name")
    assert {k: v for k, v in ours_cfg.items() if k in ref_cfg} == \
        {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in ref_cfg.items()}
    assert sorted(v.name for v in ours.variables) == sorted(v.name for v in ref.variables)
    assert all(not v.trainable for v in ours.variables)
    clone = type(ours).from_config(ours.get_config())
    clone.update_state(y_true, y_pred)
    np.testing.assert_allclose(_np(clone.result()), _np(ours.result()), rtol=1e-6)


@pytest.mark.parametrize("name,kwargs", [("Mean", {}), ("Sum", {})])
@pytest.mark.parametrize("values,weights", [
    (np.array([1.0, 3.0, 5.0, 7.0], np.float32), None),
    (np.array([1.0, 3.0, 5.0, 7.0], np.float32), np.array([1.0, 0.0, 2.0, 0.5], np.float32)),
    (REG_T, SW), (REG_T, REG_P ** 2), (REG_T[:, :1], SW), (REG_T[:, 0], 2.5), (np.float32(3.0), 2.0),
    (REG_T[:, :1], None), (REG_T, None)])
def test_reduction_metrics_match_keras(keras_ref, name, kwargs, values, weights):
    ref, ours = getattr(keras_ref.metrics, name)(), getattr(ek.metrics, name)()
    for mod_metric in (ref, ours):
        mod_metric.update_state(values, sample_weight=weights)
        head = values[:2] if np.ndim(values) else values
        mod_metric.update_state(head, sample_weight=weights[:2] if np.ndim(weights) else weights)
    np.testing.assert_allclose(_np(ours.result()), _np(ref.result()), rtol=1e-6)


FUNCTIONS = [
    ("binary_accuracy", BIN1, PROB1),
    ("binary_accuracy", BIN1[:, 0], PROB1), ("categorical_accuracy", ONEHOT, PROBS),
    ("sparse_categorical_accuracy", LABELS, PROBS), ("sparse_categorical_accuracy", LABELS[:, None], PROBS),
    ("top_k_categorical_accuracy", ONEHOT, PROBS, {"k": 2}),
    ("sparse_top_k_categorical_accuracy", LABELS, PROBS, {"k": 3}),
    ("pearson_correlation", REG_T, REG_P), ("concordance_correlation", REG_T, REG_P),
    ("mean_squared_error", REG_T, REG_P), ("huber", REG_T, REG_P), ("hinge", MULTI, LOGITS),
    ("binary_focal_crossentropy", MULTI, PROBS),
]


@pytest.mark.parametrize("case", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_metric_functions_match_keras(keras_ref, case):
    name, y_true, y_pred = case[:3]
    kwargs = case[3] if len(case) > 3 else {}

    def run(mod):
        return _np(getattr(mod.metrics, name)(mod.ops.convert_to_tensor(y_true),
                                              mod.ops.convert_to_tensor(y_pred), **kwargs))
    ref, ours = run(keras_ref), run(ek)
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, rtol=2e-5, atol=2e-6)


def test_custom_metric_subclass_as_in_keras_guide(keras_ref):
    def make(mod):
        ops = mod.ops

        class BinaryTruePositives(mod.metrics.Metric):
            def __init__(self, name="binary_true_positives", **kwargs):
                super().__init__(name=name, **kwargs)
                self.true_positives = self.add_variable(shape=(), initializer="zeros",
                                                        name="true_positives")

            def update_state(self, y_true, y_pred, sample_weight=None):
                values = ops.logical_and(ops.equal(ops.cast(y_true, "bool"), True),
                                         ops.equal(ops.cast(y_pred, "bool"), True))
                values = ops.cast(values, self.dtype)
                if sample_weight is not None:
                    values = values * ops.broadcast_to(ops.cast(sample_weight, self.dtype),
                                                       ops.shape(values))
                self.true_positives.assign(self.true_positives + ops.sum(values))

            def result(self):
                return self.true_positives
        return BinaryTruePositives()
    y_true, y_pred = BIN1[:, 0], (PROB1[:, 0] > 0.5).astype(np.float32)
    results = []
    for mod in (keras_ref, ek):
        m = make(mod)
        m.update_state(y_true, y_pred, sample_weight=SW)
        m.update_state(y_true[:5], y_pred[:5])
        results.append((_np(m.result()), [v.name for v in m.variables]))
        m.reset_state()
        results.append(_np(m.result()))
    np.testing.assert_allclose(results[2][0], results[0][0], rtol=1e-6)
    assert results[2][1] == results[0][1]
    assert float(results[3]) == float(results[1]) == 0.0


@pytest.mark.parametrize("identifier", ["mse", "MAE", "bce", "precision", "auc", "AUC",
                                        "root_mean_squared_error", "binary_accuracy",
                                        "sparse_categorical_crossentropy", "r2_score", "f1_score",
                                        "categorical_hinge", "log_cosh_error", "sum"])
def test_get_resolves_names_like_keras(keras_ref, identifier):
    ref, ours = keras_ref.metrics.get(identifier), ek.metrics.get(identifier)
    assert type(ours).__name__ == type(ref).__name__ if not isinstance(ref, type) else True


def test_bad_arguments_raise_keras_errors():
    with pytest.raises(ValueError, match="Threshold values must be in"):
        ek.metrics.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="num_thresholds"):
        ek.metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="Invalid AUC curve"):
        ek.metrics.AUC(curve="XY")
    with pytest.raises(ValueError, match="average"):
        ek.metrics.F1Score(average="mean")
    with pytest.raises(ValueError, match="specificity"):
        ek.metrics.SensitivityAtSpecificity(1.5)
    with pytest.raises(ValueError, match="class_aggregation"):
        ek.metrics.R2Score(class_aggregation="max")
    with pytest.raises(ValueError, match="out of range"):
        ek.metrics.IoU(num_classes=2, target_class_ids=[2])
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        ek.metrics.get("acuracy")


@pytest.mark.parametrize("metrics", [[["mae", "mse"]], (["mae"], "mse"), {"whatever": ["mae"]},
                                     [["mae"], [["mse"]]]])
def test_single_output_takes_any_nesting_of_metrics_as_keras(keras_ref, metrics):
    """A one-output model applies every metric given, however nested (Keras flattens them)."""
    x = np.linspace(-1, 1, 24, dtype=np.float32).reshape(6, 4)
    y = x[:, :1] * 0.5
    logs = []
    for k in (keras_ref, ek):
        inputs = k.Input((4,))
        model = k.Model(inputs, k.layers.Dense(1, kernel_initializer="ones")(inputs))
        model.compile(optimizer="sgd", loss="mse", metrics=metrics)
        logs.append(model.evaluate(x, y, verbose=0, return_dict=True))
    assert sorted(logs[1]) == sorted(logs[0])
    for key in logs[0]:
        np.testing.assert_allclose(logs[1][key], logs[0][key], rtol=1e-6)
