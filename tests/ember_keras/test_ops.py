"""keras.ops on ember against Keras 3 (torch backend): values and dtypes for every case, and
input gradients for the differentiable ones.

Each row is ``(name, args, kwargs)``; args are NumPy arrays or Python values, given to both
libraries as they are (each converts them by its own rules, so the dtype rules are tested too).
"""
import numpy as np
import pytest

import ember
from ember.keras import ops as eops

class T:
    """An argument each library receives as its own tensor (some Keras ops need one)."""

    def __init__(self, value):
        self.value = value


RNG = np.random.default_rng(0)
A = RNG.normal(size=(3, 4)).astype(np.float32)
B = RNG.normal(size=(3, 4)).astype(np.float32)
P = RNG.uniform(0.1, 2.0, size=(3, 4)).astype(np.float32)      # positive
U = RNG.uniform(-0.9, 0.9, size=(3, 4)).astype(np.float32)     # inside (-1, 1)
V = RNG.normal(size=(4,)).astype(np.float32)
M = RNG.normal(size=(4, 5)).astype(np.float32)
C3 = RNG.normal(size=(2, 3, 4)).astype(np.float32)
SQ = RNG.normal(size=(4, 4)).astype(np.float32)
I32 = np.array([[3, -1, 4], [1, -5, 9]], dtype=np.int32)
I64 = np.array([3, 1, 4, 1, 5], dtype=np.int64)
BOOL = np.array([True, False, True])
F64 = RNG.normal(size=(2, 3))
NAN = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, 2.0]], dtype=np.float32)
LABELS = np.array([0, 2, 1], dtype=np.int64)
ONEHOT = np.eye(4, dtype=np.float32)[[0, 2, 1]]
PROBS = (P / P.sum(-1, keepdims=True)).astype(np.float32)
SPD = (SQ @ SQ.T + 4 * np.eye(4)).astype(np.float32)
CHOL = np.linalg.cholesky(SPD).astype(np.float32)

CASES = [
    # conversion, dtypes, shapes
    ("convert_to_tensor", ([1.0, 2.0],), {}), ("convert_to_tensor", ([1, 2],), {}),
    ("convert_to_tensor", (F64,), {}), ("convert_to_tensor", (3,), {}),
    ("convert_to_tensor", ([1, 2],), {"dtype": "float32"}),
    ("cast", (A, "int32"), {}), ("cast", (I32, "float32"), {}), ("cast", (A, "float16"), {}),
    ("shape", (C3,), {}), ("ndim", (C3,), {}), ("size", (C3,), {}), ("dtype", (I64,), {}),
    ("stop_gradient", (T(A),), {}), ("convert_to_numpy", (A,), {}),
    ("saturate_cast", (A * 300, "int8"), {}),
    # arithmetic and dtype promotion
    ("add", (A, B), {}), ("add", (I32, 1.5), {}), ("add", (I64, np.float32(2.0)), {}),
    ("add", (F64, A[:2, :3]), {}), ("add", (I32, I32), {}),
    ("subtract", (A, B), {}), ("subtract", (BOOL, np.array([1, 2, 3], np.int32)), {}),
    ("multiply", (A, 2), {}), ("divide", (A, P), {}), ("divide", (I32, 2), {}),
    ("true_divide", (I32, I32 + 10), {}), ("divide_no_nan", (A, np.where(B > 0, B, 0)), {}),
    ("floor_divide", (I32, 2), {}), ("floor_divide", (A, 0.7), {}),
    ("mod", (I32, 4), {}), ("mod", (A, 0.7), {}), ("fmod", (A, 0.7), {}), ("fmod", (I32, 4), {}),
    ("power", (P, 1.5), {}), ("power", (I32, 2), {}), ("negative", (A,), {}),
    ("reciprocal", (P,), {}), ("square", (A,), {}), ("square", (I32,), {}), ("square", (BOOL,), {}),
    ("sqrt", (P,), {}), ("sqrt", (I64,), {}), ("rsqrt", (P,), {}), ("cbrt", (A,), {}),
    ("abs", (A,), {}), ("absolute", (I32,), {}), ("fabs", (I32,), {}), ("sign", (A,), {}),
    ("maximum", (A, B), {}), ("maximum", (I32, 0.5), {}), ("minimum", (A, 0), {}),
    ("fmax", (NAN, np.zeros_like(NAN)), {}), ("fmin", (NAN, np.ones_like(NAN)), {}),
    ("clip", (A, -0.5, 0.5), {}), ("clip", (I32, 0, 3), {}),
    # exponentials, logarithms, trigonometry
    ("exp", (A,), {}), ("exp", (I32,), {}), ("exp2", (A,), {}), ("expm1", (A,), {}),
    ("log", (P,), {}), ("log", (np.array([1, 2], np.int32),), {}), ("log1p", (P,), {}),
    ("log2", (P,), {}), ("log10", (P,), {}), ("logaddexp", (A, B), {}), ("logaddexp2", (A, B), {}),
    ("sin", (A,), {}), ("cos", (A,), {}), ("tan", (U,), {}), ("tanh", (A,), {}),
    ("tanh", (I32,), {}), ("sinh", (A,), {}), ("cosh", (A,), {}), ("arcsinh", (A * 5,), {}),
    ("arccosh", (P + 1,), {}), ("arctanh", (U,), {}), ("deg2rad", (A,), {}),
    ("arcsin", (U,), {}), ("arccos", (U,), {}), ("arctan", (A,), {}), ("arctan", (I32,), {}),
    ("arctan2", (A, B), {}), ("arctan2", (I32, 2), {}), ("erf", (A,), {}), ("erfc", (A,), {}),
    ("erfinv", (U,), {}), ("i0", (A,), {}), ("i0", (I64,), {}), ("deg2rad", (I64,), {}),
    ("rad2deg", (A,), {}), ("hypot", (A, B), {}), ("sinc", (np.array([0.0, 0.5, 1.5], np.float32),), {}),
    # rounding
    ("floor", (A,), {}), ("floor", (I32,), {}), ("ceil", (A,), {}), ("ceil", (I64,), {}),
    ("round", (A * 10,), {}), ("round", (A, 1), {}), ("round", (I32,), {}), ("trunc", (A * 3,), {}),
    # comparisons and logic
    ("equal", (I32, 1), {}), ("not_equal", (A, B), {}), ("greater", (A, B), {}),
    ("greater_equal", (A, 0), {}), ("less", (A, B), {}), ("less_equal", (A, 0.1), {}),
    ("logical_and", (BOOL, ~BOOL), {}), ("logical_or", (BOOL, ~BOOL), {}),
    ("logical_xor", (BOOL, BOOL), {}), ("logical_not", (BOOL,), {}),
    ("isnan", (NAN,), {}), ("isinf", (np.array([np.inf, 1.0, -np.inf], np.float32),), {}),
    ("isfinite", (NAN,), {}), ("isneginf", (np.array([np.inf, 1.0, -np.inf], np.float32),), {}),
    ("isposinf", (np.array([np.inf, 1.0, -np.inf], np.float32),), {}),
    ("isclose", (A, A + 1e-6), {}), ("allclose", (A, A + 1e-3), {}), ("signbit", (A,), {}),
    ("bitwise_and", (I32, 6), {}), ("bitwise_or", (I32, 6), {}), ("bitwise_xor", (I32, 6), {}),
    ("bitwise_invert", (I32,), {}), ("left_shift", (I32, 1), {}), ("right_shift", (I32, 1), {}),
    ("gcd", (I32, 6), {}), ("lcm", (I32, 6), {}), ("heaviside", (A, 0.5), {}),
    ("nan_to_num", (NAN,), {}), ("nan_to_num", (np.array([np.inf, np.nan], np.float32),),
                                              {"nan": 1.0, "posinf": 5.0}),
    ("where", (A > 0, A, B), {}), ("where", (A > 0, 1.0, 0.0), {}), ("where", (A > 0,), {}),
    ("select", ([A > 0.5, A < -0.5], [A, B]), {"default": 0.0}),
    # reductions
    ("sum", (A,), {}), ("sum", (A,), {"axis": 0}), ("sum", (I32,), {"axis": 1, "keepdims": True}),
    ("sum", (BOOL,), {}), ("sum", (C3,), {"axis": (0, 2)}), ("sum", (A,), {"axis": ()}),
    ("mean", (A,), {"axis": -1}), ("mean", (I32,), {}), ("mean", (F64,), {"axis": 0}),
    ("var", (A,), {"axis": 0}), ("var", (I32,), {}), ("std", (A,), {"axis": 1, "keepdims": True}),
    ("max", (A,), {}), ("max", (A,), {"axis": 1}), ("max", (A,), {"axis": 0, "initial": 0.5}),
    ("min", (I32,), {"axis": 0}), ("amax", (C3,), {"axis": (1, 2)}), ("amin", (A,), {"axis": 0}),
    ("prod", (P,), {"axis": 1}), ("prod", (I32,), {}), ("ptp", (A,), {"axis": 0}),
    ("all", (A > -3,), {}), ("any", (A > 1,), {"axis": 0}), ("count_nonzero", (I32,), {"axis": 1}),
    ("argmax", (A,), {"axis": -1}), ("argmin", (A,), {}), ("argsort", (A,), {"axis": 1}),
    ("sort", (A,), {"axis": 0}), ("cumsum", (A,), {"axis": 1}), ("cumsum", (I32,), {}),
    ("cumprod", (P,), {"axis": 0}), ("logsumexp", (A,), {"axis": -1}), ("logsumexp", (A,), {}),
    ("average", (A,), {"axis": 1}), ("average", (A, 1, P[0]), {}),
    ("median", (A,), {"axis": 1}), ("quantile", (A, 0.3), {"axis": 0}),
    ("percentile", (A, 40), {}), ("nansum", (NAN,), {"axis": 1}), ("nanmean", (NAN,), {}),
    ("nanmax", (NAN,), {"axis": 0}), ("nanmin", (NAN,), {"axis": 0}), ("nanprod", (NAN,), {}),
    ("nanvar", (NAN,), {"axis": 1}), ("nanstd", (NAN,), {"axis": 1}),
    ("nanargmax", (NAN,), {"axis": 1}), ("nanargmin", (NAN,), {"axis": 1}),
    ("nancumsum", (NAN,), {"axis": 1}), ("nanmedian", (NAN,), {"axis": 1}),
    ("nanquantile", (NAN, 0.25), {"axis": 1}), ("nanpercentile", (NAN, 75), {"axis": 1}),
    # products
    ("matmul", (A, M), {}), ("matmul", (C3, M), {}), ("matmul", (I32, I32.T), {}),
    ("dot", (A, V), {}), ("dot", (V, V), {}), ("dot", (A, 2.0), {}), 
    ("inner", (A, B), {}), ("vdot", (V, V), {}), ("outer", (V, V[:3]), {}), ("tensordot", (C3, M), {"axes": 1}),
    ("tensordot", (C3, A), {"axes": ([1, 2], [0, 1])}), ("einsum", ("ij,jk->ik", A, M), {}),
    ("einsum", ("bij,jk->bik", C3, M), {}), ("einsum", ("ii->i", SQ), {}),
    ("einsum", ("ij->", A), {}), ("einsum", ("...j,j", C3, V), {}), ("trace", (SQ,), {}),
    ("cross", (A[:, :3], B[:, :3]), {}), ("kron", (A[:2, :2], SQ[:2, :3]), {}),
    ("diff", (A,), {"axis": 1}), ("diff", (A,), {"n": 2, "axis": 0}),
    ("trapezoid", (A,), {}), ("trapezoid", (A,), {"dx": 0.5, "axis": 0}),
    ("correlate", (V, V[:3]), {}), ("correlate", (V, V[:2]), {"mode": "full"}),
    ("correlate", (V, V[:2]), {"mode": "same"}), ("corrcoef", (A,), {}), ("vander", (V,), {"N": 3}),
    ("bincount", (np.array([0, 1, 1, 3], np.int32),), {}),
    ("bincount", (np.array([0, 1, 1, 3], np.int32),), {"weights": np.ones(4, np.float32), "minlength": 5}),
    ("digitize", (A, np.array([-1.0, 0.0, 1.0], np.float32)), {}),
    ("searchsorted", (np.array([1.0, 2.0, 3.0], np.float32), np.array([2.5, 0.5], np.float32)), {}),
    ("histogram", (V,), {"bins": 3}),
    # creation
    ("zeros", ((2, 3),), {}), ("ones", (3,), {"dtype": "int32"}), ("full", ((2, 2), 7), {}),
    ("full", ((2, 2), 0.5), {}), ("zeros_like", (I32,), {}), ("ones_like", (A,), {"dtype": "int32"}),
    ("full_like", (A, 3), {}), ("arange", (5,), {}), ("arange", (1.0, 3.0, 0.5), {}),
    ("arange", (2, 9, 3), {"dtype": "float32"}), ("eye", (3,), {}), ("eye", (3, 4), {"k": 1}),
    ("identity", (3,), {}), ("tri", (3,), {"k": -1}), ("linspace", (0, 1, 5), {}),
    ("linspace", (0.0, 2.0), {"num": 4, "endpoint": False}), ("logspace", (0, 2, 3), {}),
    ("geomspace", (1, 100, 3), {}), ("meshgrid", (V[:2], V[:3]), {}),
    ("meshgrid", (V[:2], V[:3]), {"indexing": "ij"}), ("hamming", (5,), {}), ("hanning", (5,), {}),
    ("blackman", (5,), {}), ("bartlett", (5,), {}), ("kaiser", (5, 2.0), {}),
    ("array", ([[1, 2]],), {}), ("copy", (A,), {}),
    # shapes
    ("reshape", (A, (4, 3)), {}), ("reshape", (A, -1), {}), ("ravel", (A,), {}),
    ("transpose", (C3,), {}), ("transpose", (C3, (1, 0, 2)), {}), ("swapaxes", (C3, 0, 2), {}),
    ("moveaxis", (C3, 0, -1), {}), ("moveaxis", (C3, [0, 1], [2, 0]), {}),
    ("expand_dims", (A, 1), {}), ("expand_dims", (A, (0, -1)), {}),
    ("squeeze", (A[:, :1],), {}), ("squeeze", (A[None, :, :1],), {"axis": 0}),
    ("broadcast_to", (V, (3, 4)), {}), ("concatenate", ([A, B],), {"axis": 1}),
    ("append", (A, B), {"axis": 0}), ("append", (A, V), {}),
    ("stack", ([A, B],), {"axis": -1}), ("hstack", ([A, B],), {}), ("vstack", ([V, V],), {}),
    ("dstack", ([A, B],), {}), ("split", (A, 2), {"axis": 1}), ("split", (A, [1, 3]), {"axis": 1}),
    ("array_split", (A, 3), {"axis": 1}), ("hsplit", (A, 2), {}), ("vsplit", (A, 3), {}),
    ("dsplit", (C3, 2), {}), ("unstack", (T(A),), {}), ("unstack", (T(A),), {"axis": 1}),
    ("flip", (A,), {}), ("flip", (A,), {"axis": 1}), ("fliplr", (A,), {}), ("flipud", (A,), {}),
    ("rot90", (A,), {}), ("rot90", (A,), {"k": 2}), ("rot90", (C3,), {"k": 3, "axes": (1, 2)}),
    ("roll", (A, 1), {}), ("roll", (A, -1), {"axis": 1}), ("roll", (A, (1, 2)), {"axis": (0, 1)}),
    ("tile", (A, 2), {}), ("tile", (V, (2, 1)), {}), ("repeat", (A, 2), {}),
    ("repeat", (A, 2), {"axis": 0}), ("repeat", (A, np.array([1, 0, 2, 1])), {"axis": 1}),
    ("pad", (A, ((1, 0), (2, 1))), {}), ("pad", (A, ((1, 1), (0, 2))), {"constant_values": 3.0}),
    ("pad", (A, ((1, 1), (2, 2))), {"mode": "reflect"}),
    ("pad", (A, ((1, 1), (2, 2))), {"mode": "symmetric"}),
    ("tril", (SQ,), {}), ("tril", (SQ,), {"k": -1}), ("triu", (SQ,), {"k": 1}), ("triu", (C3,), {}),
    ("diagonal", (SQ,), {}), ("diagonal", (C3,), {"offset": 1, "axis1": 1, "axis2": 2}),
    ("diag", (V,), {}), ("diag", (V,), {"k": 1}), ("diag", (SQ,), {"k": -1}), ("diagflat", (A[:2, :2],), {}),
    # indexing and sets
    ("take", (A, np.array([2, 0])), {"axis": 0}), ("take", (A, np.array([[1, -1]])), {"axis": 1}),
    ("take", (A, np.array([5, 0])), {}), ("take_along_axis", (A, np.argsort(A, 1)), {"axis": 1}),
    ("get_item", (A, 1), {}), ("nonzero", (I32,), {}), ("unravel_index", (I64, (2, 3)), {}),
    ("isin", (I32, [1, 3]), {}), ("unique", (I64,), {}),
    ("unique", (I64,), {"return_counts": True, "return_inverse": True}),
    ("argpartition", (I32[0], 1), {}), ("slice", (A, (1, 1), (2, 2)), {}),
    ("slice_update", (A, (1, 1), np.zeros((2, 2), np.float32)), {}),
    ("scatter", (np.array([[0, 1], [2, 3], [0, 1]]), np.array([1.0, 2.0, 3.0], np.float32), (3, 4)), {}),
    ("scatter_update", (A, np.array([[0, 1], [2, 3]]), np.array([9.0, 8.0], np.float32)), {}),
    # neural-network functions
    ("relu", (A,), {}), ("relu6", (A * 5,), {}), ("sigmoid", (A,), {}), ("softplus", (A,), {}),
    ("softsign", (A,), {}), ("silu", (A,), {}), ("swish", (A,), {}), ("log_sigmoid", (A,), {}),
    ("leaky_relu", (A,), {}), ("leaky_relu", (A,), {"negative_slope": 0.1}), ("elu", (A,), {}),
    ("elu", (A,), {"alpha": 0.5}), ("selu", (A,), {}), ("gelu", (A,), {}),
    ("gelu", (A,), {"approximate": False}), ("hard_tanh", (A * 2,), {}), ("hard_sigmoid", (A * 4,), {}),
    ("hard_silu", (A * 4,), {}), ("hard_swish", (A * 4,), {}), ("celu", (A,), {"alpha": 0.7}),
    ("glu", (A,), {}), ("hard_shrink", (A,), {}), ("soft_shrink", (A,), {"threshold": 0.3}),
    ("tanh_shrink", (A,), {}), ("threshold", (A, 0.2, -1.0), {}), ("sparse_sigmoid", (A * 2,), {}),
    ("sparse_plus", (A * 2,), {}), ("squareplus", (A,), {}), ("squareplus", (A,), {"b": 1}),
    ("softmax", (A,), {}), ("softmax", (A,), {"axis": 0}), ("softmax", (C3,), {"axis": (1, 2)}),
    ("log_softmax", (A,), {}), ("log_softmax", (A,), {"axis": None}), ("sparsemax", (A,), {}),
    ("one_hot", (LABELS, 4), {}), ("one_hot", (np.array([1, -1, 2]), 3), {"axis": 0}),
    ("one_hot", (LABELS, 3), {"dtype": "int32"}), ("multi_hot", (np.array([[0, 2], [1, 1]]), 4), {}),
    ("binary_crossentropy", ((A > 0).astype(np.float32), 1 / (1 + np.exp(-A))), {}),
    ("binary_crossentropy", ((A > 0).astype(np.float32), A), {"from_logits": True}),
    ("categorical_crossentropy", (ONEHOT, PROBS), {}),
    ("categorical_crossentropy", (ONEHOT, A), {"from_logits": True}),
    ("sparse_categorical_crossentropy", (LABELS, PROBS), {}),
    ("sparse_categorical_crossentropy", (LABELS, A), {"from_logits": True}),
    ("sparse_categorical_crossentropy", (LABELS[:, None], A), {"from_logits": True}),
    ("moments", (A, 0), {}), ("moments", (C3, (0, 1)), {"keepdims": True}),
    ("batch_normalization", (A, V, P[0], -1), {"offset": V, "scale": P[1]}),
    ("batch_normalization", (A, V[:3], P[0, :3], 0), {}),
    ("layer_normalization", (A,), {}), ("layer_normalization", (A, P[0], V), {"epsilon": 1e-5}),
    ("layer_normalization", (C3,), {"axis": (1, 2)}),
    ("layer_normalization", (A, P[0]), {"rms_scaling": True}),
    ("rms_normalization", (A,), {}), ("rms_normalization", (A, P[0]), {"epsilon": 1e-3}),
    ("normalize", (A,), {}), ("normalize", (A,), {"axis": 0, "order": 1}), ("psnr", (P, P + 0.1, 2.0), {}),
    ("dot_product_attention", (C3[None], C3[None], C3[None]), {}),
    ("dot_product_attention", (C3[None], C3[None], C3[None]), {"is_causal": True, "scale": 0.3}),
    # math and linalg
    ("top_k", (A, 2), {}), ("in_top_k", (LABELS, A, 2), {}), ("segment_sum", (A, np.array([0, 1, 0])), {}),
    ("segment_max", (A, np.array([0, 1, 0])), {"num_segments": 2}), ("cdist", (A, B), {}),
    ("extract_sequences", (A, 2, 1), {}), ("extract_sequences", (C3, 3, 1), {}),
    ("norm", (A,), {}), ("norm", (A,), {"axis": 1}), ("norm", (A,), {"ord": 1, "axis": 0}),
    ("norm", (A,), {"ord": np.inf, "axis": -1, "keepdims": True}), ("norm", (A,), {"ord": "fro", "axis": (0, 1)}),
    ("norm", (A,), {"ord": 1, "axis": (0, 1)}), ("norm", (A,), {"ord": -np.inf, "axis": (0, 1)}),
    ("norm", (V,), {"ord": 3}), ("det", (SQ,), {}), ("inv", (SQ,), {}), ("logdet", (SPD,), {}),
    ("slogdet", (SQ,), {}), ("cholesky", (SPD,), {}), ("cholesky", (SPD,), {"upper": True}),
    ("cholesky_inverse", (CHOL,), {}), ("cholesky_inverse", (CHOL.T.copy(),), {"upper": True}),
    ("solve", (SQ, M), {}), ("solve", (SQ, V), {}), ("solve_triangular", (SQ, M), {}),
    ("solve_triangular", (SQ, V), {"lower": True}),
]


def _to_numpy(keras_ref, value):
    if isinstance(value, (list, tuple)):
        return [_to_numpy(keras_ref, v) for v in value]
    if isinstance(value, str):
        return value
    if isinstance(value, ember.Tensor):
        return value.numpy()
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _call(mod, name, args, kwargs):
    args = [mod.ops.convert_to_tensor(a.value) if isinstance(a, T) else a for a in args]
    return getattr(mod.ops, name)(*args, **kwargs)


def _compare(ours, ref, label):
    if isinstance(ref, str) or (isinstance(ref, np.ndarray) and ref.dtype.kind in "OU"):
        assert str(ours) == str(ref), f"{label}: {ours!r} != Keras's {ref!r}"
        return
    if isinstance(ref, list):
        assert isinstance(ours, list) and len(ours) == len(ref), label
        for o, r in zip(ours, ref):
            _compare(o, r, label)
        return
    assert ours.dtype == ref.dtype, f"{label}: dtype {ours.dtype} != Keras's {ref.dtype}"
    assert ours.shape == ref.shape, f"{label}: shape {ours.shape} != Keras's {ref.shape}"
    np.testing.assert_allclose(ours, ref, rtol=2e-5, atol=2e-6, equal_nan=True, err_msg=label)


@pytest.mark.parametrize("name,args,kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_values_and_dtypes_match_keras(keras_ref, name, args, kwargs):
    ref = _to_numpy(keras_ref, _call(keras_ref, name, args, kwargs))
    ours = _to_numpy(keras_ref, _call(ember.keras, name, args, kwargs))
    _compare(ours, ref, f"ops.{name}{kwargs}")


GRAD_CASES = [
    ("add", (A, B), {}), ("subtract", (A, B), {}), ("multiply", (A, B), {}), ("divide", (A, P), {}),
    ("divide_no_nan", (A, np.where(B > 0, B, 0)), {}), ("power", (P, B), {}), ("square", (A,), {}),
    ("sqrt", (P,), {}), ("rsqrt", (P,), {}), ("cbrt", (A,), {}), ("abs", (A,), {}),
    ("maximum", (A, B), {}), ("minimum", (A, 0.2), {}), ("clip", (A, -0.5, 0.5), {}),
    ("exp", (A,), {}), ("exp2", (A,), {}), ("expm1", (A,), {}), ("log", (P,), {}), ("log1p", (P,), {}),
    ("log2", (P,), {}), ("log10", (P,), {}), ("logaddexp", (A, B), {}), ("logaddexp2", (A, B), {}),
    ("sin", (A,), {}), ("cos", (A,), {}), ("tan", (U,), {}), ("tanh", (A,), {}), ("sinh", (A,), {}),
    ("cosh", (A,), {}), ("arcsinh", (A,), {}), ("arccosh", (P + 1,), {}), ("arctanh", (U,), {}),
    ("arcsin", (U,), {}), ("arccos", (U,), {}), ("arctan", (A,), {}), ("arctan2", (A, B), {}),
    ("erf", (A,), {}), ("erfc", (A,), {}), ("erfinv", (U,), {}), ("i0", (A,), {}),
    ("hypot", (A, B), {}), ("sinc", (A,), {}), ("where", (A > 0, A, B), {}), ("fmax", (A, B), {}),
    ("sum", (C3,), {"axis": (0, 2)}), ("mean", (A,), {"axis": 0}), ("var", (A,), {"axis": 1}),
    ("std", (A,), {}), ("max", (A,), {"axis": 1}), ("amin", (A,), {"axis": 0}), ("prod", (P,), {"axis": 1}),
    ("cumsum", (A,), {"axis": 1}), ("cumprod", (P,), {"axis": 1}), ("logsumexp", (A,), {"axis": -1}),
    ("sort", (A,), {"axis": 1}), ("average", (A,), {"axis": 1}), ("nansum", (A,), {}), ("nanmean", (A,), {}),
    ("matmul", (A, M), {}), ("matmul", (C3, M), {}), ("dot", (A, V), {}), ("vdot", (V, V), {}),
    ("inner", (A, B), {}), ("outer", (V, V), {}), ("tensordot", (C3, A), {"axes": ([1, 2], [0, 1])}),
    ("einsum", ("bij,jk->bik", C3, M), {}), ("einsum", ("ii->i", SQ), {}), ("trace", (SQ,), {}),
    ("cross", (A[:, :3], B[:, :3]), {"axis": 1}), ("kron", (A[:2, :2], SQ[:2, :3]), {}),
    ("diff", (A,), {"axis": 1}), ("trapezoid", (A,), {}), ("correlate", (V, V[:3]), {}),
    ("reshape", (A, (4, 3)), {}), ("transpose", (C3, (1, 0, 2)), {}), ("moveaxis", (C3, 0, -1), {}),
    ("expand_dims", (A, 1), {}), ("squeeze", (A[:, :1],), {}), ("broadcast_to", (V, (3, 4)), {}),
    ("concatenate", ([A, B],), {"axis": 1}), ("stack", ([A, B],), {"axis": 1}),
    ("split", (A, 2), {"axis": 1}), ("flip", (A,), {"axis": 1}), ("rot90", (A,), {}),
    ("roll", (A, -1), {"axis": 1}), ("tile", (A, (2, 1)), {}), ("repeat", (A, 2), {"axis": 0}),
    ("pad", (A, ((1, 0), (2, 1))), {}), ("pad", (A, ((1, 1), (2, 2))), {"mode": "reflect"}),
    ("tril", (SQ,), {}), ("triu", (SQ,), {"k": 1}), ("diagonal", (SQ,), {}), ("diag", (V,), {}),
    ("take", (A, np.array([2, 0, 2])), {"axis": 0}), ("take_along_axis", (A, np.argsort(A, 1)), {"axis": 1}),
    ("slice_update", (A, (1, 1), B[:2, :2]), {}), ("scatter_update", (A, np.array([[0, 1], [2, 3]]), V[:2]), {}),
    ("scatter", (np.array([[0, 1], [2, 3], [0, 1]]), V[:3], (3, 4)), {}),
    ("relu", (A,), {}), ("relu6", (A * 5,), {}), ("sigmoid", (A,), {}), ("softplus", (A,), {}),
    ("softsign", (A,), {}), ("silu", (A,), {}), ("log_sigmoid", (A,), {}), ("leaky_relu", (A,), {}),
    ("elu", (A,), {}), ("selu", (A,), {}), ("gelu", (A,), {}), ("gelu", (A,), {"approximate": False}),
    ("hard_sigmoid", (A * 4,), {}), ("hard_silu", (A * 4,), {}), ("celu", (A,), {"alpha": 0.7}),
    ("glu", (A,), {}), ("hard_shrink", (A,), {}), ("soft_shrink", (A,), {}), ("tanh_shrink", (A,), {}),
    ("sparse_plus", (A * 2,), {}), ("squareplus", (A,), {}), ("softmax", (A,), {}),
    ("log_softmax", (A,), {"axis": 0}), ("sparsemax", (A,), {}),
    ("binary_crossentropy", ((A > 0).astype(np.float32), 1 / (1 + np.exp(-A))), {}),
    ("binary_crossentropy", ((A > 0).astype(np.float32), A), {"from_logits": True}),
    ("categorical_crossentropy", (ONEHOT, PROBS), {}),
    ("categorical_crossentropy", (ONEHOT, A), {"from_logits": True}),
    ("sparse_categorical_crossentropy", (LABELS, A), {"from_logits": True}),
    ("moments", (A, 0), {}), ("batch_normalization", (A, V, P[0], -1), {"offset": V, "scale": P[1]}),
    ("layer_normalization", (A, P[0], V), {}), ("layer_normalization", (C3,), {"axis": (1, 2)}),
    ("rms_normalization", (A, P[0]), {}), ("normalize", (A,), {}), ("normalize", (A,), {"order": 1}),
    ("dot_product_attention", (C3[None], C3[None] * 0.5, C3[None]), {"is_causal": True}),
    ("top_k", (A, 2), {}), ("segment_sum", (A, np.array([0, 1, 0])), {}), ("cdist", (A, B), {}),
    ("extract_sequences", (A, 2, 1), {}), ("norm", (A,), {}), ("norm", (A,), {"ord": 1, "axis": 0}),
    ("norm", (A,), {"ord": 1, "axis": (0, 1)}), ("psnr", (P, P + 0.1, 2.0), {}),
    ("det", (SQ,), {}), ("inv", (SQ,), {}), ("logdet", (SPD,), {}), ("cholesky", (SPD,), {}),
    ("solve", (SQ, M), {}), ("solve_triangular", (SQ, M), {"lower": True}),
    ("cholesky_inverse", (CHOL,), {}),
]


def _with_grad(lib, value):
    """Float arrays (also inside lists) become leaf tensors that require grad."""
    if isinstance(value, list):
        return [_with_grad(lib, v) for v in value]
    if isinstance(value, np.ndarray) and value.dtype == np.float32:
        return lib.tensor(value.copy(), requires_grad=True)
    return value


def _leaves(args):
    out = []
    for a in args:
        out.extend(_leaves(a) if isinstance(a, list) else [a] if hasattr(a, "requires_grad") else [])
    return out


def _grads(lib, mod, name, args, kwargs):
    args = [_with_grad(lib, a) for a in args]
    out = getattr(mod.ops, name)(*args, **kwargs)
    if isinstance(out, (list, tuple)):
        out = out[0]
    weights = np.linspace(-1.0, 1.5, int(np.prod(tuple(out.shape)))).reshape(tuple(out.shape))
    (out * lib.tensor(weights.astype(np.float32))).sum().backward()
    return [np.asarray(leaf.grad.numpy() if leaf.grad is not None else 0.0) for leaf in _leaves(args)]


@pytest.mark.parametrize("name,args,kwargs", GRAD_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GRAD_CASES)])
def test_gradients_match_keras(keras_ref, name, args, kwargs):
    import torch
    ref = _grads(torch, keras_ref, name, args, kwargs)
    ours = _grads(ember, ember.keras, name, args, kwargs)
    assert len(ours) == len(ref) and ref
    for i, (o, r) in enumerate(zip(ours, ref)):
        assert o.dtype == r.dtype, f"{name} grad {i}: dtype {o.dtype} != {r.dtype}"
        np.testing.assert_allclose(o, r, rtol=1e-4, atol=1e-5, err_msg=f"ops.{name} grad {i}")


def test_stop_gradient_blocks_the_gradient():
    x = ember.tensor(A.copy(), requires_grad=True)
    y = ember.keras.ops.sum(ember.keras.ops.add(ember.keras.ops.stop_gradient(x * 2), x))
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones_like(A))


def test_custom_gradient_matches_keras(keras_ref):
    import torch

    def make(ops):
        @ops.custom_gradient
        def log1pexp(x):
            e = ops.exp(x)

            def grad(*args, upstream=None):
                return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1, e))
            return ops.log(1 + e), grad
        return log1pexp

    x_ref = torch.tensor(A.copy(), requires_grad=True)
    make(keras_ref.ops)(x_ref).sum().backward()
    x = ember.tensor(A.copy(), requires_grad=True)
    out = make(ember.keras.ops)(x)
    out.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), np.log1p(np.exp(A)), rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), x_ref.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name,args", [
    ("cond", (True, lambda: 1, lambda: 2)), ("switch", (1, [lambda v: v + 1, lambda v: v * 3], 2.0)),
    ("fori_loop", (0, 4, lambda i, acc: acc + i, 1)),
    ("while_loop", (lambda a, b: a < 10, lambda a, b: (a + 3, b * 2), (0, 1))),
])
def test_control_flow_matches_keras(keras_ref, name, args):
    ref = getattr(keras_ref.ops, name)(*args)
    ours = getattr(ember.keras.ops, name)(*args)
    np.testing.assert_allclose(np.asarray(ours, dtype=np.float64),
                               np.asarray([float(r) for r in np.atleast_1d(np.asarray(ref, dtype=object))]
                                          ).reshape(np.shape(ours)))


def test_scan_map_and_associative_scan_match_keras(keras_ref):
    xs = A.copy()
    for mod in (keras_ref, ember.keras):
        carry, ys = mod.ops.scan(lambda c, x: (c + x, c * x), mod.ops.zeros((4,)), xs)
        mapped = mod.ops.map(lambda row: mod.ops.sum(row * 2), xs)
        cums = mod.ops.associative_scan(lambda a, b: a + b, xs, axis=1)
        out = [_to_numpy(keras_ref, v) for v in (carry, ys, mapped, cums)]
        if mod is keras_ref:
            ref = out
    for o, r in zip(out, ref):
        np.testing.assert_allclose(o, r, rtol=1e-6)
