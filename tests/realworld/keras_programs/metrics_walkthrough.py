"""A metrics walk-through: metrics used on their own (update_state / result / reset_state), a
custom metric subclass written as Keras's documentation writes one, and a classifier compiled
with several metrics, trained and evaluated."""
import numpy as np

import keras
from keras import layers, ops


class BinaryTruePositives(keras.metrics.Metric):
    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), initializer="zeros",
                                                name="true_positives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.cast(y_true, "bool")
        y_pred = ops.cast(ops.greater(y_pred, 0.5), "bool")
        values = ops.cast(ops.logical_and(y_true, y_pred), self.dtype)
        if sample_weight is not None:
            values = values * ops.cast(sample_weight, self.dtype)
        self.true_positives.assign(self.true_positives + ops.sum(values))

    def result(self):
        # a copy: returning the variable itself lets Keras's fit log the value the variable has
        # after validation (its history then shows val_tp under tp)
        return ops.copy(self.true_positives)


def standalone(y_true, y_score):
    out = {}
    auc = keras.metrics.AUC()
    auc.update_state(y_true[:50], y_score[:50])
    auc.update_state(y_true[50:], y_score[50:])
    out["auc"] = auc.result().numpy()
    pr = keras.metrics.AUC(curve="PR", num_thresholds=50)
    pr.update_state(y_true, y_score)
    out["pr_auc"] = pr.result().numpy()
    precision = keras.metrics.Precision(thresholds=[0.3, 0.5, 0.7])
    precision.update_state(y_true, y_score, sample_weight=np.linspace(0.5, 1.5, len(y_true)))
    out["precision"] = precision.result().numpy()
    counts = {}
    for cls in (keras.metrics.TruePositives, keras.metrics.FalsePositives,
                keras.metrics.TrueNegatives, keras.metrics.FalseNegatives):
        m = cls()
        m.update_state(y_true, y_score)
        counts[cls.__name__] = float(m.result())
    out["counts"] = counts
    acc = keras.metrics.BinaryAccuracy(threshold=0.6)
    out["accuracy_first"] = float(acc(y_true[:30], y_score[:30]))
    acc.reset_state()
    out["accuracy_after_reset"] = float(acc(y_true[30:], y_score[30:]))
    mean = keras.metrics.Mean()
    mean.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1.0, 1.0, 0.0, 2.0])
    out["weighted_mean"] = float(mean.result())
    r2 = keras.metrics.R2Score()
    r2.update_state(y_score[:, None] * 2.0, y_score[:, None] * 1.9 + 0.05)
    out["r2"] = float(r2.result())
    f1 = keras.metrics.F1Score(average="macro", threshold=0.5)
    f1.update_state(keras.utils.to_categorical(y_true.astype("int64"), 2),
                    np.stack([1 - y_score, y_score], axis=1))
    out["f1_macro"] = float(f1.result())
    return out


def main():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 6)).astype("float32")
    y = (x[:, 0] - 0.5 * x[:, 1] + 0.3 * rng.normal(size=200) > 0).astype("float32")
    y_score = (1 / (1 + np.exp(-(x[:, 0] - 0.5 * x[:, 1])))).astype("float32")
    model = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(12, activation="tanh"),
                              layers.Dense(1, activation="sigmoid")])
    init = np.random.default_rng(11)
    model.set_weights([init.normal(scale=0.4, size=w.shape).astype("float32")
                       for w in model.get_weights()])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02),
                  loss=keras.losses.BinaryCrossentropy(),
                  metrics=["accuracy", keras.metrics.Precision(name="precision"),
                           keras.metrics.Recall(name="recall"), keras.metrics.AUC(name="auc"),
                           BinaryTruePositives(name="tp")])
    history = model.fit(x[:150], y[:150], batch_size=25, epochs=4, shuffle=False, verbose=0,
                        validation_data=(x[150:], y[150:]))
    scores = model.evaluate(x[150:], y[150:], verbose=0, return_dict=True)
    return {"standalone": standalone(y, y_score), "history": history.history,
            "evaluate": scores}
