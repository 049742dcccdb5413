"""In-process unit tests: option validation, DATA through ember.datasets, metrics (vs scikit-learn), summary table."""
import numpy as np
import pytest

from ember.cli import config, data
from ember.cli.errors import CLIError
from ember.datasets import DataError
from ember.cli.metrics import classification_metrics, regression_metrics


@pytest.mark.parametrize("value, expected", [("128,64", [128, 64]), ("32", [32]), ("none", []), ("", []),
                                             ([16, 8], [16, 8]), (7, [7])])
def test_parse_hidden(value, expected):
    assert config.parse_hidden(value) == expected


@pytest.mark.parametrize("override, key, expected", [
    ({}, "lr", 1e-3), ({"optimizer": "sgd"}, "lr", 0.05), ({"optimizer": "momentum"}, "momentum", 0.9),
    ({"optimizer": "sgd"}, "momentum", 0.0), ({"batch_size": "full"}, "batch_size", "full"),
    ({"batch_size": "1"}, "batch_size", 1), ({"lr": "auto"}, "lr", "auto"), ({"lr": "0.5"}, "lr", 0.5),
    ({"optimizer": "AdamW"}, "optimizer", "adamw"), ({"activation": "leaky-relu"}, "activation", "leaky_relu"),
    ({"early_stopping": "0"}, "early_stopping", 0), ({"seed": "42"}, "seed", 42),
])
def test_validate_defaults_and_normalisation(override, key, expected):
    assert config.validate({**config.DEFAULTS, **override})[key] == expected


@pytest.mark.parametrize("override, message", [
    ({"lr": "-1"}, "--lr"), ({"lr": "nan"}, "--lr"), ({"weight_decay": -0.1}, "--weight-decay"),
    ({"epochs": "ten"}, "--epochs"), ({"test_split": 1.0}, "--test-split"), ({"seed": -1}, "--seed"),
    ({"init": "he"}, "--init"), ({"lr_schedule": "linear"}, "--lr-schedule"), ({"task": "ranking"}, "--task"),
    ({"clip_value": "-2"}, "--clip-value"), ({"l1": "x"}, "--l1"), ({"dropout": -0.1}, "--dropout"),
])
def test_validate_rejects_bad_values(override, message):
    with pytest.raises(CLIError, match=message):
        config.validate({**config.DEFAULTS, **override})


def _csv(text, tmp_path, name="t.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("text, task, classes", [
    ("a,y\n1,0\n2,1\n3,2\n", "classification", ["0", "1", "2"]),
    ("a,y\n1,cat\n2,dog\n3,cat\n", "classification", ["cat", "dog"]),
    ("a,y\n1,0.5\n2,1.5\n3,2.25\n", "regression", None),
    ("a,y\n" + "".join(f"{i},{i}\n" for i in range(30)), "regression", None),
])
def test_csv_task_detection_with_the_last_column_as_target(text, task, classes, tmp_path):
    loaded = data.load_training_data(_csv(text, tmp_path))
    assert data.task(loaded.spec) == task and loaded.spec["encoding"]["target"] == "y"
    assert (data.classes(loaded.spec) if classes else loaded.spec["encoding"]["classes"]) == classes


@pytest.mark.parametrize("name, task, n_features", [("iris", "classification", 4), ("diabetes", "regression", 10),
                                                    ("moons", "classification", 2), ("regression", "regression", 5)])
def test_named_data_sets_come_from_the_catalog(name, task, n_features):
    loaded = data.load_training_data(name, seed=3)
    assert data.task(loaded.spec) == task and loaded.X.shape[1] == n_features
    assert loaded.X.dtype == np.float32 and loaded.y.dtype == (np.int64 if task == "classification" else np.float32)
    assert data.encoding(loaded.spec).features == loaded.spec["encoding"]["feature_names"]
    again = data.load_like_training(name, loaded.spec, seed=3)  # generators: same seed, same rows
    np.testing.assert_array_equal(again.X, loaded.X)
    np.testing.assert_array_equal(again.y, loaded.y)


def test_prediction_rows_are_encoded_as_in_training(tmp_path):
    train = data.load_training_data(_csv("size,colour,y\n1.5,red,a\n2,blue,b\n3,red,a\n", tmp_path), target="y")
    assert train.spec["encoding"]["feature_names"] == ["size", "colour=blue", "colour=red"]
    np.testing.assert_array_equal(train.X, [[1.5, 0, 1], [2, 1, 0], [3, 0, 1]])
    np.testing.assert_array_equal(train.y, [0, 1, 0])
    # an unseen category encodes as all zeros; without the target column, y is None
    new = data.load_like_training(_csv("size,colour\n4,green\n2,blue\n", tmp_path, "new.csv"), train.spec)
    np.testing.assert_array_equal(new.X, [[4, 0, 0], [2, 1, 0]])
    assert new.X.dtype == np.float32 and new.y is None
    with pytest.raises(DataError, match=r"'y' has labels not seen in training .*'c'"):
        data.load_like_training(_csv("size,colour,y\n4,red,c\n", tmp_path, "c.csv"), train.spec)


@pytest.mark.parametrize("stage", ["train", "predict"])
def test_dropna_drops_incomplete_rows(stage, tmp_path):
    text = "a,b,y\n1,NA,x\n2,3,y\n?,4,x\n5,6,x\n"
    path = _csv(text, tmp_path)
    spec = data.load_training_data(_csv("a,b,y\n1,2,x\n3,4,y\n", tmp_path, "clean.csv")).spec
    load = (lambda **kw: data.load_training_data(path, **kw)) if stage == "train" else \
        (lambda **kw: data.load_like_training(path, spec, **kw))
    with pytest.raises(DataError, match=r"column 'a' in 1 row \(row 3\); column 'b' in 1 row \(row 1\)"):
        load(dropna=False)
    kept = load(dropna=True)
    np.testing.assert_array_equal(kept.X, [[2, 3], [5, 6]])
    np.testing.assert_array_equal(kept.y, [1, 0])


def test_classification_metrics_match_scikit_learn():
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    y_pred[y_pred == 3] = 2  # class 3 is never predicted: precision 0 by convention
    m = classification_metrics(y_true, y_pred, ["a", "b", "c", "d"])
    assert m["accuracy"] == pytest.approx(sk.accuracy_score(y_true, y_pred))
    p, r, f, s = sk.precision_recall_fscore_support(y_true, y_pred, labels=[0, 1, 2, 3], zero_division=0)
    np.testing.assert_allclose([c["precision"] for c in m["per_class"]], p)
    np.testing.assert_allclose([c["recall"] for c in m["per_class"]], r)
    np.testing.assert_allclose([c["f1"] for c in m["per_class"]], f)
    assert m["macro_f1"] == pytest.approx(sk.f1_score(y_true, y_pred, average="macro", zero_division=0))
    np.testing.assert_array_equal(m["confusion_matrix"], sk.confusion_matrix(y_true, y_pred, labels=[0, 1, 2, 3]))


def test_regression_metrics_match_scikit_learn():
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(1)
    y, p = rng.normal(size=50), rng.normal(size=50)
    m = regression_metrics(y, p)
    assert m["mse"] == pytest.approx(sk.mean_squared_error(y, p))
    assert m["mae"] == pytest.approx(sk.mean_absolute_error(y, p))
    assert m["r2"] == pytest.approx(sk.r2_score(y, p))


def test_model_summary_counts_parameters():
    from ember.cli.builders import build_model
    from ember.cli.summary import format_table, model_rows
    cfg = {**config.validate(dict(config.DEFAULTS)), "hidden": [8, 4], "batch_norm": True, "dropout": 0.5}
    model = build_model(cfg, n_in=3, n_out=2)
    rows = model_rows(model, 3)
    assert [r["shape"] for r in rows][-1] == "(N, 2)"
    expected = sum(int(np.prod(p.shape)) for p in model.parameters())
    assert sum(r["params"] for r in rows) == expected == (3 * 8 + 8) + 16 + (8 * 4 + 4) + 8 + (4 * 2 + 2)
    assert "BatchNorm1d(8)" in format_table(rows) and "Dropout(p=0.5)" in format_table(rows)
