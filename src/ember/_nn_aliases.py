"""torch's namespace-level twins of ``nn.functional`` (``torch.selu``, ``torch.dropout``,
``torch.kl_div``, …), with their own argument names: ``train`` for dropout's flag, the integer
``reduction`` of ATen's losses (0 none, 1 mean, 2 sum), ``batch_norm``'s order.

``nn`` is imported on first call (the engine does not depend on it).

Example::

    >>> ember.selu(ember.tensor([0.0, 1.0]))
    tensor([0.0000, 1.0507])
"""
from __future__ import annotations

__all__ = ["selu", "celu", "threshold", "rrelu", "hardshrink", "prelu", "relu_", "selu_", "celu_",
           "rrelu_", "threshold_", "dropout", "dropout_", "alpha_dropout", "alpha_dropout_",
           "feature_alpha_dropout", "feature_alpha_dropout_", "layer_norm", "batch_norm",
           "rms_norm", "bilinear", "pairwise_distance", "cosine_similarity", "pdist", "kl_div",
           "binary_cross_entropy_with_logits", "cosine_embedding_loss", "hinge_embedding_loss",
           "margin_ranking_loss", "poisson_nll_loss", "triplet_margin_loss", "constant_pad_nd",
           "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "max_pool3d", "instance_norm", "pixel_shuffle", "pixel_unshuffle",
           "avg_pool1d", "adaptive_avg_pool1d",
           "adaptive_max_pool1d", "max_pool1d", "max_pool2d", "max_pool1d_with_indices",
           "group_norm", "feature_dropout", "feature_dropout_", "channel_shuffle",
           "native_channel_shuffle", "conv_tbc", "convolution", "grid_sampler",
           "grid_sampler_2d", "grid_sampler_3d", "affine_grid_generator"]

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _F():
    from .nn import functional
    return functional


def _reduction(r):
    return _REDUCTIONS.get(r, r)


def selu(input):
    return _F().selu(input)


def celu(input, alpha: float = 1.0):
    return _F().celu(input, alpha)


def threshold(input, threshold: float, value: float):  # noqa: A002
    return _F().threshold(input, threshold, value)


def rrelu(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          generator=None):
    return _F().rrelu(input, lower, upper, training)


def hardshrink(input, lambd: float = 0.5):
    return _F().hardshrink(input, lambd)


def prelu(input, weight):
    return _F().prelu(input, weight)


def relu_(input):
    return _F().relu(input, inplace=True)


def selu_(input):
    return _F().selu(input, inplace=True)


def celu_(input, alpha: float = 1.0):
    return _F().celu(input, alpha, inplace=True)


def rrelu_(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
           generator=None):
    return _F().rrelu(input, lower, upper, training, inplace=True)


def threshold_(input, threshold: float, value: float):  # noqa: A002
    return _F().threshold(input, threshold, value, inplace=True)


def dropout(input, p: float, train: bool):
    return _F().dropout(input, p, train)


def dropout_(input, p: float, train: bool):
    return _F().dropout(input, p, train, inplace=True)


def alpha_dropout(input, p: float, train: bool):
    return _F().alpha_dropout(input, p, train)


def alpha_dropout_(input, p: float, train: bool):
    return _F().alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout(input, p: float, train: bool):
    return _F().feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input, p: float, train: bool):
    return _F().feature_alpha_dropout(input, p, train, inplace=True)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-05,
               cudnn_enable: bool = True):
    return _F().layer_norm(input, normalized_shape, weight, bias, eps)


def batch_norm(input, weight, bias, running_mean, running_var, training: bool, momentum: float,
               eps: float, cudnn_enabled: bool):
    return _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats: bool,
                  momentum: float, eps: float, cudnn_enabled: bool):
    return _F().instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                              momentum, eps)


def pixel_shuffle(input, upscale_factor):
    return _F().pixel_shuffle(input, upscale_factor)


def pixel_unshuffle(input, downscale_factor):
    return _F().pixel_unshuffle(input, downscale_factor)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    return _F().rms_norm(input, normalized_shape, weight, eps)


def bilinear(input1, input2, weight, bias=None):
    return _F().bilinear(input1, input2, weight, bias)


def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-06, keepdim: bool = False):
    return _F().pairwise_distance(x1, x2, p, eps, keepdim)


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-08):
    return _F().cosine_similarity(x1, x2, dim, eps)


def pdist(input, p: float = 2.0):
    return _F().pdist(input, p)


def kl_div(input, target, reduction: int = 1, *, log_target: bool = False):
    return _F().kl_div(input, target, reduction=_reduction(reduction), log_target=log_target)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None,
                                     reduction: int = 1):
    return _F().binary_cross_entropy_with_logits(input, target, weight,
                                                 reduction=_reduction(reduction),
                                                 pos_weight=pos_weight)


def cosine_embedding_loss(input1, input2, target, margin: float = 0.0, reduction: int = 1):
    return _F().cosine_embedding_loss(input1, input2, target, margin,
                                      reduction=_reduction(reduction))


def hinge_embedding_loss(input, target, margin: float = 1.0, reduction: int = 1):
    return _F().hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def margin_ranking_loss(input1, input2, target, margin: float = 0.0, reduction: int = 1):
    return _F().margin_ranking_loss(input1, input2, target, margin,
                                    reduction=_reduction(reduction))


def poisson_nll_loss(input, target, log_input: bool, full: bool, eps: float, reduction: int):
    return _F().poisson_nll_loss(input, target, log_input, full, eps=eps,
                                 reduction=_reduction(reduction))


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2.0,
                        eps: float = 1e-06, swap: bool = False, reduction: int = 1):
    return _F().triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                    reduction=_reduction(reduction))


def constant_pad_nd(input, pad, value=0):
    return _F().pad(input, pad, "constant", value)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _F().conv1d(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _F().conv2d(input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _F().conv3d(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _F().conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups,
                                 dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _F().conv_transpose3d(input, weight, bias, stride, padding, output_padding, groups,
                                 dilation)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F().max_pool3d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _F().conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups,
                                 dilation)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    return _F().avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def adaptive_avg_pool1d(input, output_size):
    return _F().adaptive_avg_pool1d(input, output_size)


def adaptive_max_pool1d(input, output_size):
    """``(values, indices)``, as torch's namespace form returns both."""
    return _F().adaptive_max_pool1d(input, output_size, True)


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F().max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F().max_pool2d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode=False):
    return _F().max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode, True)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    return _F().group_norm(input, num_groups, weight, bias, eps)


def feature_dropout(input, p, train):
    """Channel-wise dropout (one draw per ``(n, c)`` of ``(N, C, *)``), ``train`` the flag."""
    return _F().layers._dropout(input, p, train, False, input.shape[:2] + (1,) * (input.ndim - 2))


def feature_dropout_(input, p, train):
    return _F().layers._dropout(input, p, train, True, input.shape[:2] + (1,) * (input.ndim - 2))


def channel_shuffle(input, groups):
    return _F().channel_shuffle(input, groups)


def native_channel_shuffle(input, groups):
    return _F().native_channel_shuffle(input, groups)


def conv_tbc(input, weight, bias, pad=0):
    return _F().conv_tbc(input, weight, bias, pad)


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                groups):
    """ATen's generic convolution: ``F.conv1d/2d/3d`` or, when ``transposed``,
    ``F.conv_transpose1d/2d/3d``, chosen by the rank of ``weight`` (batched input only)."""
    dims = weight.ndim - 2
    if input.ndim != weight.ndim or dims not in (1, 2, 3):
        raise RuntimeError(f"Expected {weight.ndim}-dimensional input for {weight.ndim}-"
                           f"dimensional weight {list(weight.shape)}, but got {input.ndim}-"
                           f"dimensional input of size {list(input.shape)} instead")
    F = _F()
    if transposed:
        fn = (F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[dims - 1]
        return fn(input, weight, bias, stride, padding, output_padding, groups, dilation)
    fn = (F.conv1d, F.conv2d, F.conv3d)[dims - 1]
    return fn(input, weight, bias, stride, padding, dilation, groups)


_GRID_MODES = ("bilinear", "nearest", "bicubic")
_GRID_PADDING = ("zeros", "border", "reflection")


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    """``F.grid_sample`` with ATen's integer codes: mode 0 bilinear, 1 nearest, 2 bicubic;
    padding 0 zeros, 1 border, 2 reflection."""
    return _F().grid_sample(input, grid, mode=_GRID_MODES[interpolation_mode],
                            padding_mode=_GRID_PADDING[padding_mode], align_corners=align_corners)


def grid_sampler_2d(input, grid, interpolation_mode, padding_mode, align_corners):
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def grid_sampler_3d(input, grid, interpolation_mode, padding_mode, align_corners):
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def affine_grid_generator(theta, size, align_corners):
    return _F().affine_grid(theta, size, align_corners=align_corners)
