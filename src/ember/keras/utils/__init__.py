"""``keras.utils`` on ember: data helpers (``PyDataset``, ``split_dataset``, ``pad_sequences``,
``to_categorical``, ``normalize``), reproducibility (``set_random_seed``), the custom training
loop's ``Progbar``, and the serialization registry (shared with ``keras.saving``).

Example::

    >>> keras.utils.set_random_seed(42)
    >>> y_onehot = keras.utils.to_categorical(labels, num_classes=10)
"""
from ..ops._base import standardize_dtype  # noqa: F401
from ..saving import (CustomObjectScope, custom_object_scope,  # noqa: F401
                      deserialize_keras_object, get_custom_objects, get_registered_name,
                      get_registered_object, register_keras_serializable,
                      serialize_keras_object)
from .data import (PyDataset, Sequence, pack_x_y_sample_weight, split_dataset,  # noqa: F401
                   unpack_x_y_sample_weight)
from .general import (clear_session, disable_interactive_logging,  # noqa: F401
                      enable_interactive_logging, is_interactive_logging_enabled, normalize,
                      pad_sequences, set_random_seed, to_categorical)
from ..layers.node import get_source_inputs  # noqa: F401
from .progbar import Progbar  # noqa: F401


class Config:
    """A dict whose keys are also attributes (``config.lr`` is ``config['lr']``); ``freeze()``
    makes it read-only, as ``keras.utils.Config``."""

    def __init__(self, **kwargs):
        object.__setattr__(self, "_config", dict(kwargs))
        object.__setattr__(self, "_frozen", False)

    def freeze(self):
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self):
        object.__setattr__(self, "_frozen", False)

    @property
    def frozen(self):
        return self._frozen

    def __getattr__(self, name):
        try:
            return self._config[name]
        except KeyError:
            raise AttributeError(f"Unknown attribute: '{name}'") from None

    def __setattr__(self, name, value):
        if self._frozen:
            raise AttributeError("Cannot set attribute: Config is frozen. Call `unfreeze()` first.")
        self._config[name] = value

    def __getitem__(self, key):
        return self._config[key]

    def __setitem__(self, key, value):
        self.__setattr__(key, value)

    def __contains__(self, key):
        return key in self._config

    def __len__(self):
        return len(self._config)

    def __iter__(self):
        return iter(self._config)

    def keys(self):
        return self._config.keys()

    def values(self):
        return self._config.values()

    def items(self):
        return self._config.items()

    def get(self, key, default=None):
        return self._config.get(key, default)

    def pop(self, *args):
        if self._frozen:
            raise AttributeError("Cannot remove item: Config is frozen. Call `unfreeze()` first.")
        return self._config.pop(*args)

    def update(self, *args, **kwargs):
        if self._frozen:
            raise AttributeError("Cannot update Config: Config is frozen. Call `unfreeze()` first.")
        self._config.update(*args, **kwargs)

    def as_dict(self):
        return dict(self._config)

    def to_json(self):
        import json
        return json.dumps(self._config)

    def __repr__(self):
        return f"<Config {self._config}>"


def is_keras_tensor(x) -> bool:
    """True for the symbolic tensors ``keras.Input`` returns."""
    from ..layers.keras_tensor import KerasTensor
    return isinstance(x, KerasTensor)


__all__ = ["Config", "CustomObjectScope", "Progbar", "PyDataset", "Sequence", "clear_session",
           "custom_object_scope", "deserialize_keras_object", "disable_interactive_logging",
           "enable_interactive_logging", "get_custom_objects", "get_registered_name", "get_source_inputs",
           "get_registered_object", "is_interactive_logging_enabled", "is_keras_tensor",
           "normalize", "pack_x_y_sample_weight", "pad_sequences", "register_keras_serializable",
           "serialize_keras_object", "set_random_seed", "split_dataset", "standardize_dtype",
           "to_categorical", "unpack_x_y_sample_weight"]
