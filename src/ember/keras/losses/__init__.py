"""``keras.losses`` on ember: Keras 3's loss functions and classes, written with ``keras.ops``
so targets broadcast as in Keras and gradients flow through ember's ops.

Example::

    >>> from ember.keras import losses
    >>> losses.get("binary_crossentropy")(y_true, y_pred)
    >>> losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
"""
from __future__ import annotations

from .._utils import lookup
from .classes import *  # noqa: F401,F403
from .classes import ALL_CLASSES
from .functions import (binary_crossentropy, binary_focal_crossentropy,  # noqa: F401
                        categorical_crossentropy, categorical_focal_crossentropy,
                        categorical_generalized_cross_entropy, categorical_hinge, circle,
                        cosine_similarity, dice, hinge, huber, kl_divergence, log_cosh,
                        mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
                        mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy,
                        squared_hinge, tversky)
from .loss import Loss, LossFunctionWrapper, reduce_weighted_values  # noqa: F401

# the legacy short names Keras still resolves by string
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh

FUNCTIONS = {f.__name__: f for f in (
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    categorical_focal_crossentropy, categorical_generalized_cross_entropy, categorical_hinge,
    circle, cosine_similarity, dice, hinge, huber, kl_divergence, log_cosh, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error, poisson,
    sparse_categorical_crossentropy, squared_hinge, tversky)}
ALIASES = {"mse": mean_squared_error, "mae": mean_absolute_error,
           "mape": mean_absolute_percentage_error, "msle": mean_squared_logarithmic_error,
           "kld": kl_divergence, "kullback_leibler_divergence": kl_divergence, "logcosh": log_cosh,
           "huber_loss": huber, "bce": binary_crossentropy}
CLASSES = {c.__name__: c for c in ALL_CLASSES}
ALL_OBJECTS = set(ALL_CLASSES) | set(FUNCTIONS.values())


def get(identifier):
    """A name (``'mse'``, ``'BinaryCrossentropy'``), a Loss, a function or a config -> a loss."""
    if identifier is None:
        return None
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        if identifier in CLASSES:
            return CLASSES[identifier]()
        return lookup("loss", identifier, {**FUNCTIONS, **ALIASES})
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss identifier: {identifier}")


def deserialize(name, custom_objects=None):
    """A config from :func:`serialize` (or a name) back to a loss."""
    if isinstance(name, str):
        return get(name)
    table = {**CLASSES, **(custom_objects or {})}
    cls = lookup("loss", name["class_name"], table)
    return cls.from_config(name.get("config", {}))


def serialize(loss) -> dict:
    """``{'function': name}`` for a built-in function, ``{'class_name', 'config'}`` for a class."""
    fn = getattr(loss, "fn", loss) if type(loss) is LossFunctionWrapper else loss
    for key, value in {**FUNCTIONS, **ALIASES}.items():
        if fn is value:
            return {"function": loss.name if getattr(loss, "name", None) in FUNCTIONS else key}
    if type(loss).__name__ in CLASSES and type(loss) is CLASSES[type(loss).__name__]:
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    raise ValueError(f"Cannot save the custom loss {loss!r}; use a built-in keras loss")


def to_loss_object(identifier) -> Loss:
    """What ``compile`` stores: always a Loss object, named as Keras names it."""
    obj = get(identifier)
    if isinstance(obj, Loss):
        return obj
    return LossFunctionWrapper(obj, name=identifier if isinstance(identifier, str) else None)


__all__ = sorted(CLASSES) + sorted(FUNCTIONS) + ["Loss", "LossFunctionWrapper", "deserialize",
                                                 "get", "serialize"]
