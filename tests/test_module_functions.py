"""Module-level functions exist and compute what torch's do (ember.relu(x) vs torch.relu(x)), and agree with
the Tensor methods."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

NAMES = ["relu", "sigmoid", "tanh", "exp", "log", "log1p", "sqrt", "abs", "neg", "sin", "cos", "sum", "mean",
         "var", "std", "max", "min", "amax", "amin", "argmax", "argmin", "prod", "flatten", "squeeze", "t",
         "square", "reciprocal", "rsqrt", "expm1", "log2", "log10", "floor", "ceil", "round", "sign",
         "isnan", "isfinite", "clone", "detach", "numel"]
ARGS = [("softmax", (1,)), ("log_softmax", (0,)), ("logsumexp", (1,)), ("clamp", (0.5, 1.5)), ("clip", (0.5, 1.0)),
        ("unsqueeze", (0,)), ("transpose", (0, 1)), ("permute", ((1, 0),)), ("reshape", ((6,),)),
        ("matmul", (ember.ones(3, 2),)), ("mm", (ember.ones(3, 2),)), ("maximum", (ember.ones(3),)),
        ("minimum", (ember.ones(3),)), ("pow", (2,)), ("add", (1.0,)), ("sub", (1.0,)), ("mul", (2.0,)),
        ("div", (2.0,)), ("cumsum", (0,)), ("gather", (1, ember.tensor([[0], [2]]))), ("flip", ((0,),)),
        ("norm", ()), ("eq", (1.0,)), ("gt", (1.0,)), ("split", (1,)), ("chunk", (2,)), ("unbind", (0,)),
        ("expand", ((4, 2, 3),)), ("all", ()), ("any", ())]


def _x():
    return ember.tensor(np.arange(1.0, 7.0, dtype=np.float32).reshape(2, 3) / 4)


def _values(out):
    """Nested plain values with each tensor's dtype name, so ember and torch results compare directly."""
    if isinstance(out, (tuple, list)):
        return [_values(o) for o in out]
    if isinstance(out, (ember.Tensor, torch.Tensor)):
        return str(out.dtype).split(".")[-1], np.round(np.asarray(out.tolist(), dtype=np.float64), 5).tolist()
    return out


def _to_torch(arg):
    return torch.from_numpy(arg._data.copy()) if isinstance(arg, ember.Tensor) else arg


@pytest.mark.parametrize("name,args", [(n, ()) for n in NAMES] + ARGS, ids=lambda v: v if isinstance(v, str) else "")
def test_function_equals_method(name, args):
    x = _x()
    assert hasattr(ember, name), f"ember.{name} is missing"
    got = _values(getattr(ember, name)(x, *args))
    assert got == _values(getattr(x, name)(*args))
    reference = getattr(torch, name, None) or getattr(torch.Tensor, name)  # torch has no torch.expand
    assert got == _values(reference(_to_torch(x), *[_to_torch(a) for a in args]))
