"""Issue 14's bad input, each case run on Keras 3 (torch backend) and on ember.keras: the same
exception type and the same message (class paths aside; a disconnected graph's message is
Keras's first line, to which ember adds the missing input's name)."""
import os
import re

import numpy as np
import pytest

from ember import keras as ek


def _two_heads(mod):
    a = mod.Input((4,), name="a")
    return mod.Model(a, {"p": mod.layers.Dense(1, name="p")(a),
                         "q": mod.layers.Dense(1, name="q")(a)})


def _list_heads(mod):
    a = mod.Input((4,), name="a")
    return mod.Model(a, [mod.layers.Dense(1, name="p")(a), mod.layers.Dense(1, name="q")(a)])


def _fit(model, loss):
    model.compile(optimizer="adam", loss=loss)
    y = np.zeros((4, 1), np.float32)
    model.fit(np.zeros((4, 4), np.float32), {"p": y, "q": y} if isinstance(model.output, dict)
              else [y, y], verbose=0)


def _opaque(mod):
    class Opaque(mod.layers.Layer):
        def __init__(self, table, **kwargs):
            super().__init__(**kwargs)
            self.table = table

        def call(self, x):
            return x
    return Opaque


def _variadic(mod):
    class Variadic(mod.layers.Layer):
        def __init__(self, *sizes, **kwargs):
            super().__init__(**kwargs)
            self.sizes = sizes

        def call(self, x):
            return x
    return Variadic


def _disconnected(mod):
    a, b = mod.Input((4,), name="a"), mod.Input((4,), name="b")
    mod.Model(a, mod.layers.Add()([mod.layers.Dense(3)(a), mod.layers.Dense(3)(b)]))


def _save_without_config(mod, tmp_path):
    a = mod.Input((3,))
    mod.Model(a, _opaque(mod)(np.ones(3))(a)).save(os.fspath(tmp_path / f"{mod.__name__}.keras"))


def _pair(mod):
    a, b = mod.Input((4,), name="a"), mod.Input((4,), name="b")
    return mod.Model([a, b], mod.layers.Add()([a, b]), name="pair")


CASES = {
    "disconnected_graph": _disconnected,
    "input_is_a_layer": lambda m: m.Model(m.layers.Dense(3, name="d"),
                                          m.layers.Dense(2)(m.Input((4,)))),
    "input_is_an_array": lambda m: m.Model(np.zeros((2, 4)), m.layers.Dense(2)(m.Input((4,)))),
    "output_is_an_array": lambda m: m.Model(m.Input((4,)), np.zeros(3)),
    "concatenate_shapes": lambda m: m.layers.Concatenate()([m.Input((2, 3)), m.Input((4, 5))]),
    "multiply_shapes": lambda m: m.layers.Multiply()([m.Input((3,)), m.Input((4,))]),
    "add_shapes": lambda m: m.layers.Add()([m.Input((4,)), m.Input((5,))]),
    "dot_shapes": lambda m: m.layers.Dot(axes=1)([m.Input((3,)), m.Input((4,))]),
    "duplicate_names": lambda m: m.Model(
        a := m.Input((4,)), m.layers.Dense(2, name="h")(m.layers.Dense(2, name="h")(a))),
    "loss_dict_unknown_output": lambda m: _fit(_two_heads(m), {"p": "mse", "r": "mse"}),
    "loss_dict_unknown_output_of_a_list": lambda m: _fit(_list_heads(m), {"p": "mse", "z": "mae"}),
    "loss_list_too_long": lambda m: _fit(_list_heads(m), ["mse", "mse", "mse"]),
    "get_config_without_config": lambda m: _opaque(m)(np.ones(3)).get_config(),
    "get_config_variadic": lambda m: _variadic(m)(1, 2).get_config(),
    "get_layer_index": lambda m: _two_heads(m).get_layer(index=10),
    "call_with_too_few_inputs": lambda m: _pair(m)(np.zeros((2, 4), np.float32)),
    "call_with_too_many_inputs": lambda m: _pair(m)([np.zeros((2, 4), np.float32)] * 3),
    "call_with_a_missing_key": lambda m: _pair(m)({"a": np.zeros((2, 4), np.float32)}),
    "predict_with_a_missing_key": lambda m: _pair(m).predict(
        {"b": np.zeros((2, 4), np.float32), "c": np.zeros((2, 4), np.float32)}, verbose=0),
}


def _normal(text: str) -> str:
    return re.sub(r"<class '[\w.]+\.(\w+)'>", r"<class \1>", text)


def _raised(make, mod, tmp_path):
    with pytest.raises(Exception) as info:
        make(mod) if make is not _save_without_config else make(mod, tmp_path)
    return type(info.value), _normal(str(info.value))


@pytest.mark.parametrize("name", list(CASES) + ["save_without_config"])
def test_bad_input_gets_keras_error(keras_ref, name, tmp_path):
    make = CASES.get(name, _save_without_config)
    (ref_type, ref_text), (our_type, our_text) = (_raised(make, keras_ref, tmp_path),
                                                  _raised(make, ek, tmp_path))
    assert our_type is ref_type, (our_type, ref_type, ref_text)
    if name == "disconnected_graph":
        assert our_text.startswith(ref_text.split("\n")[0]) and '"b"' in our_text, our_text
    else:
        assert our_text == ref_text


@pytest.mark.parametrize("field,value", [("input_layers", "abc"), ("output_layers", 7),
                                         ("input_layers", [["abc"]])])
def test_config_with_a_non_list_reference_is_a_value_error(field, value):
    """A string in input_layers once recursed through its own letters (RecursionError)."""
    inputs = ek.Input((3,))
    config = ek.Model(inputs, ek.layers.Dense(2)(inputs)).get_config()
    config[field] = value
    with pytest.raises((ValueError, TypeError)):
        ek.Model.from_config(config)
