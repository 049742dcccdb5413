"""How Keras 3 saves each ``keras.ops`` call of a functional model (facts read from Keras 3.15's
operation classes): the module of its operation class, the class's name where it is not the
op's name in CamelCase, and the arguments its ``call`` takes (the tensors, written in the
node's ``args``); every other argument is the operation's constructor argument, written in its
``config`` (``ops.mean(x, axis=1)`` is ``Mean(axis=1)`` called on ``x``).

Example::

    >>> from ember.keras.layers.keras_op_specs import keras_class, keras_module, call_params
    >>> keras_class("true_divide"), keras_module("relu")
    ('TrueDivide', 'keras.src.ops.nn')
    >>> call_params("where", ["condition", "x1", "x2"])
    ('condition', 'x1', 'x2')
    >>> call_params("mean", ["x", "axis", "keepdims"])
    ('x',)
"""
from __future__ import annotations

__all__ = ["keras_class", "keras_module", "call_params", "op_name_of_class"]

#: Keras's operation class for the ops whose class is not their name in CamelCase
KERAS_CLASS = {"abs": "Absolute", "allclose": "AllClose", "cdist": "CDist",
               "conj": "Conjugate", "ctc_decode": "CTCDecode", "ctc_loss": "CTCLoss",
               "fft": "FFT", "fft2": "FFT2", "ifft2": "IFFT2", "rfft": "RFFT", "irfft": "IRFFT",
               "stft": "STFT", "istft": "ISTFT", "hard_swish": "HardSilu", "swish": "Silu",
               "isin": "IsIn", "layer_normalization": "LayerNorm", "psnr": "PSNR",
               "rms_normalization": "RMSNorm", "svd": "SVD", "ssim": "SSIM",
               "rgb_to_grayscale": "RGBToGrayscale", "rgb_to_hsv": "RGBToHSV",
               "hsv_to_rgb": "HSVToRGB"}
#: the op a class name read from a Keras file stands for, where the CamelCase rule fails
_OP_OF_CLASS = {"Absolute": "absolute", "Conjugate": "conjugate", "HardSilu": "hard_silu",
                "Silu": "silu", **{c: n for n, c in KERAS_CLASS.items()
                                   if n not in ("abs", "conj", "hard_swish", "swish")}}

#: the ops whose operation class is not in keras.src.ops.numpy
KERAS_MODULE = {name: f"keras.src.ops.{module}" for module, names in {
    "nn": """
    adaptive_average_pool adaptive_max_pool average_pool binary_crossentropy
    categorical_crossentropy celu conv conv_transpose ctc_decode ctc_loss depth_to_space
    depthwise_conv dot_product_attention elu fold gelu glu hard_shrink hard_sigmoid hard_silu
    hard_swish hard_tanh layer_normalization leaky_relu log_sigmoid log_softmax max_pool moments
    multi_hot normalize one_hot polar psnr relu relu6 rms_normalization selu separable_conv
    sigmoid silu soft_shrink softmax softplus softsign space_to_depth
    sparse_categorical_crossentropy sparse_plus sparse_sigmoid sparsemax squareplus swish
    tanh_shrink threshold unfold
    """,
    "core": """
    associative_scan cast cond convert_to_tensor fori_loop map saturate_cast scan scatter
    scatter_update slice slice_update stop_gradient switch unstack vectorized_map while_loop
    """,
    "math": """
    cdist erf erfc erfinv extract_sequences fft fft2 ifft2 in_top_k irfft istft logdet logsumexp
    rfft rsqrt segment_max segment_min segment_prod segment_sum stft top_k view_as_complex
    view_as_real
    """,
    "linalg": """
    cholesky cholesky_inverse det eig eigh inv lstsq lu_factor matrix_rank norm pinv qr solve
    solve_triangular svd
    """,
    "image": """
    affine_transform crop_images elastic_transform extract_patches gaussian_blur hsv_to_rgb
    map_coordinates pad_images perspective_transform resize rgb_to_grayscale rgb_to_hsv
    scale_and_translate sobel_edges ssim
    """,
}.items() for name in names.split()}

#: the call arguments of the ops whose are not their parameters named x, x1, x2, xs or inputs
CALL_PARAMS = {
    "affine_transform": ('images', 'transform'), "arange": ('start', 'stop', 'step'),
    "associative_scan": ('f', 'elems'), "average": ('x', 'weights'),
    "binary_crossentropy": ('target', 'output'), "bitwise_and": ('x', 'y'),
    "bitwise_left_shift": ('x', 'y'), "bitwise_or": ('x', 'y'), "bitwise_right_shift": ('x', 'y'),
    "bitwise_xor": ('x', 'y'), "categorical_crossentropy": ('target', 'output'),
    "cdist": ('x', 'y'), "cond": ('pred', 'true_fn', 'false_fn'), "conv": ('inputs', 'kernel'),
    "conv_transpose": ('inputs', 'kernel'), "crop_images": ('images',),
    "ctc_decode": ('inputs', 'sequence_lengths'),
    "ctc_loss": ('target', 'output', 'target_length', 'output_length'),
    "depthwise_conv": ('inputs', 'kernel'), "diff": ('a',), "digitize": ('x', 'bins'),
    "dot_product_attention": ('query', 'key', 'value', 'bias', 'mask', 'scale'),
    "einsum": ('operands', 'kwargs'), "elastic_transform": ('images',),
    "extract_patches": ('images',), "fori_loop": ('init_val',), "full": ('fill_value',),
    "full_like": ('x', 'fill_value'), "gaussian_blur": ('images',), "geomspace": ('start', 'stop'),
    "get_item": ('x', 'key'), "hsv_to_rgb": ('images',), "in_top_k": ('targets', 'predictions'),
    "isclose": ('x1', 'x2', 'rtol', 'atol'), "layer_normalization": ('x', 'gamma', 'beta'),
    "left_shift": ('x', 'y'), "linspace": ('start', 'stop'), "logspace": ('start', 'stop'),
    "lstsq": ('a', 'b'), "map": ('f', 'xs'), "map_coordinates": ('inputs', 'coordinates'),
    "nanpercentile": ('x', 'q'), "nanquantile": ('x', 'q'), "pad": ('x', 'constant_values'),
    "pad_images": ('images',), "percentile": ('x', 'q'),
    "perspective_transform": ('images', 'start_points', 'end_points'), "polar": ('abs_', 'angle'),
    "quantile": ('x', 'q'), "resize": ('images',), "rgb_to_grayscale": ('images',),
    "rgb_to_hsv": ('images',), "right_shift": ('x', 'y'), "rms_normalization": ('x', 'scale'),
    "rot90": ('array',), "scale_and_translate": ('images', 'output_shape', 'scale', 'translation'),
    "scan": ('f', 'init', 'xs'), "scatter": ('indices', 'values'),
    "scatter_update": ('inputs', 'indices', 'updates'), "segment_max": ('data', 'segment_ids'),
    "segment_min": ('data', 'segment_ids'), "segment_prod": ('data', 'segment_ids'),
    "segment_sum": ('data', 'segment_ids'), "select": ('condlist', 'choicelist', 'default'),
    "separable_conv": ('inputs', 'depthwise_kernel', 'pointwise_kernel'),
    "slice": ('inputs', 'start_indices'), "slice_update": ('inputs', 'start_indices', 'updates'),
    "sobel_edges": ('images',), "solve": ('a', 'b'), "solve_triangular": ('a', 'b'),
    "sparse_categorical_crossentropy": ('target', 'output'), "ssim": ('image1', 'image2'),
    "stop_gradient": ('variable',), "switch": ('index', 'branches', 'operands'),
    "take": ('x', 'indices'), "take_along_axis": ('x', 'indices'), "trapezoid": ('y',),
    "unravel_index": ('indices',), "vectorized_map": ('elements',),
    "where": ('condition', 'x1', 'x2'), "while_loop": ('loop_vars',),
}
_DEFAULT_CALL = ("x", "x1", "x2", "xs", "inputs")


def keras_class(op: str) -> str:
    """The name of Keras's operation class for ``keras.ops.<op>`` (``get_item`` -> ``GetItem``)."""
    return KERAS_CLASS.get(op) or "".join(part[:1].upper() + part[1:] for part in op.split("_"))


def keras_module(op: str) -> str:
    """The module Keras saves ``keras.ops.<op>``'s operation class under."""
    return KERAS_MODULE.get(op, "keras.src.ops.numpy")


def call_params(op: str, params) -> tuple:
    """Which of ``params`` (the op function's parameter names) Keras's operation takes in
    ``call``; the others are its constructor's."""
    given = CALL_PARAMS.get(op)
    return tuple(given) if given is not None else tuple(p for p in params if p in _DEFAULT_CALL)


def op_name_of_class(class_name: str) -> str:
    """The ``keras.ops`` function a saved operation class stands for (``TrueDivide`` ->
    ``true_divide``)."""
    found = _OP_OF_CLASS.get(class_name)
    if found is not None:
        return found
    out = []
    for i, ch in enumerate(class_name):
        if ch.isupper() and i and (not class_name[i - 1].isupper() or
                                   (i + 1 < len(class_name) and class_name[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)
