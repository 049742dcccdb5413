"""The convolution, pooling, padding, resampling and normalisation ops, in one table beside
``test_op_table.py`` and checked the same two ways:

1. against torch in float32: values, dtype, shape, and the gradient of every input;
2. with ``ember.autograd.gradcheck`` (central differences) in float64.

Each case is ``(id, fn, shapes)``; ``fn(m, *tensors)`` runs with ``m = ember`` and ``m = torch``.
"""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")


def F(m):
    return m.nn.functional


# fractional max pooling's uniform samples (N, C, dims), fixed so both libraries pool alike
_U2 = np.random.default_rng(3).random((2, 3, 2))
_U3 = np.random.default_rng(4).random((2, 2, 3))


CASES = [
    # ---------------------------------------------------------------- convolution
    ("conv2d", lambda m, x, w, b: F(m).conv2d(x, w, b), [(2, 3, 5, 5), (4, 3, 3, 3), (4,)]),
    ("conv2d_no_bias_pad_int", lambda m, x, w: F(m).conv2d(x, w, padding=1), [(2, 2, 4, 4), (3, 2, 3, 3)]),
    ("conv2d_stride_pad_tuple", lambda m, x, w, b: F(m).conv2d(x, w, b, stride=2, padding=(1, 2)),
     [(2, 2, 5, 6), (3, 2, 3, 3), (3,)]),
    ("conv2d_stride_tuple", lambda m, x, w: F(m).conv2d(x, w, stride=(2, 1)), [(1, 2, 6, 5), (2, 2, 3, 2)]),
    ("conv2d_dilation", lambda m, x, w, b: F(m).conv2d(x, w, b, dilation=2, padding=1),
     [(1, 2, 6, 6), (3, 2, 3, 3), (3,)]),
    ("conv2d_same_odd", lambda m, x, w: F(m).conv2d(x, w, padding="same"), [(2, 2, 4, 5), (2, 2, 3, 3)]),
    ("conv2d_same_even", lambda m, x, w: F(m).conv2d(x, w, padding="same"), [(1, 2, 4, 4), (2, 2, 2, 4)]),
    ("conv2d_same_dilated", lambda m, x, w: F(m).conv2d(x, w, padding="same", dilation=(2, 1)),
     [(1, 2, 5, 4), (2, 2, 2, 3)]),
    ("conv2d_valid", lambda m, x, w: F(m).conv2d(x, w, padding="valid"), [(1, 2, 4, 4), (2, 2, 2, 2)]),
    ("conv2d_groups", lambda m, x, w, b: F(m).conv2d(x, w, b, groups=2), [(2, 4, 4, 4), (6, 2, 2, 2), (6,)]),
    ("conv2d_depthwise", lambda m, x, w: F(m).conv2d(x, w, groups=3, padding=1), [(2, 3, 4, 4), (3, 1, 3, 3)]),
    ("conv2d_depthwise_mult2", lambda m, x, w, b: F(m).conv2d(x, w, b, groups=2, stride=2),
     [(1, 2, 5, 5), (4, 1, 3, 3), (4,)]),
    ("conv2d_unbatched", lambda m, x, w: F(m).conv2d(x, w), [(2, 4, 4), (3, 2, 2, 2)]),
    ("conv2d_1x1", lambda m, x, w, b: F(m).conv2d(x, w, b), [(2, 3, 3, 3), (4, 3, 1, 1), (4,)]),
    ("conv2d_chain", lambda m, x, w1, w2: F(m).conv2d(F(m).relu(F(m).conv2d(x, w1, padding=1)), w2),
     [(2, 2, 4, 4), (3, 2, 3, 3), (2, 3, 2, 2)]),
    ("conv1d", lambda m, x, w, b: F(m).conv1d(x, w, b), [(2, 3, 7), (4, 3, 3), (4,)]),
    ("conv1d_stride_pad_dil", lambda m, x, w: F(m).conv1d(x, w, stride=2, padding=2, dilation=2),
     [(2, 2, 8), (3, 2, 3)]),
    ("conv1d_same_groups", lambda m, x, w, b: F(m).conv1d(x, w, b, padding="same", groups=2),
     [(2, 4, 6), (4, 2, 4), (4,)]),
    ("conv1d_unbatched", lambda m, x, w: F(m).conv1d(x, w), [(2, 6), (3, 2, 3)]),
    ("conv_transpose2d", lambda m, x, w, b: F(m).conv_transpose2d(x, w, b), [(2, 3, 3, 3), (3, 2, 2, 2), (2,)]),
    ("conv_transpose2d_stride_pad", lambda m, x, w: F(m).conv_transpose2d(x, w, stride=2, padding=1),
     [(1, 2, 3, 3), (2, 3, 3, 3)]),
    ("conv_transpose2d_outpad", lambda m, x, w, b: F(m).conv_transpose2d(
        x, w, b, stride=(2, 3), padding=(0, 1), output_padding=(1, 2)), [(1, 2, 2, 3), (2, 2, 2, 3), (2,)]),
    ("conv_transpose2d_groups_dil", lambda m, x, w: F(m).conv_transpose2d(x, w, groups=2, dilation=2),
     [(1, 4, 3, 3), (4, 1, 2, 2)]),
    ("conv_transpose2d_unbatched", lambda m, x, w: F(m).conv_transpose2d(x, w, stride=2),
     [(2, 2, 2), (2, 1, 3, 3)]),
    ("conv_tbc", lambda m, x, w, b: m.conv_tbc(x, w, b, 1), [(6, 2, 3), (3, 3, 4), (4,)]),
    ("conv_tbc_crop", lambda m, x, w, b: F(m).conv_tbc(x, w, b, pad=-1), [(7, 2, 2), (2, 2, 3), (3,)]),
    ("torch_convolution_2d", lambda m, x, w, b: m.convolution(
        x, w, b, [2, 1], [1, 0], [1, 2], False, [0, 0], 1), [(2, 3, 6, 6), (4, 3, 3, 2), (4,)]),
    ("torch_convolution_1d_groups", lambda m, x, w: m.convolution(
        x, w, None, [1], [2], [1], False, [0], 2), [(2, 4, 5), (6, 2, 3)]),
    ("torch_convolution_transposed_3d", lambda m, x, w: m.convolution(
        x, w, None, [2, 1, 1], [1, 0, 0], [1, 1, 1], True, [1, 0, 0], 2),
     [(1, 4, 3, 3, 2), (4, 1, 2, 2, 2)]),
    ("channel_shuffle", lambda m, x: F(m).channel_shuffle(x, 2), [(2, 6, 3, 3)]),
    ("torch_channel_shuffle_3d_input", lambda m, x: m.channel_shuffle(x, 3), [(2, 6, 4)]),
    ("channel_shuffle_module_5d", lambda m, x: m.nn.ChannelShuffle(2)(x), [(1, 4, 2, 2, 3)]),
    ("conv3d", lambda m, x, w, b: F(m).conv3d(x, w, b), [(2, 3, 4, 4, 5), (4, 3, 2, 3, 3), (4,)]),
    ("conv3d_stride_pad_dil", lambda m, x, w: F(m).conv3d(x, w, stride=(2, 1, 2), padding=(1, 0, 2),
                                                          dilation=(1, 2, 1)), [(1, 2, 5, 6, 5), (3, 2, 3, 2, 3)]),
    ("conv3d_same_groups", lambda m, x, w, b: F(m).conv3d(x, w, b, padding="same", groups=2),
     [(1, 4, 3, 4, 4), (4, 2, 2, 3, 2), (4,)]),
    ("conv3d_unbatched", lambda m, x, w: F(m).conv3d(x, w), [(2, 3, 3, 3), (3, 2, 2, 2, 2)]),
    ("conv_transpose1d", lambda m, x, w, b: F(m).conv_transpose1d(x, w, b, stride=2, padding=1,
                                                                  output_padding=1), [(2, 3, 5), (3, 2, 3), (2,)]),
    ("conv_transpose1d_groups_dil", lambda m, x, w: F(m).conv_transpose1d(x, w, groups=2, dilation=2),
     [(1, 4, 4), (4, 1, 3)]),
    ("conv_transpose1d_unbatched", lambda m, x, w: F(m).conv_transpose1d(x, w), [(2, 4), (2, 3, 2)]),
    ("conv_transpose3d", lambda m, x, w, b: F(m).conv_transpose3d(x, w, b), [(2, 3, 2, 3, 3), (3, 2, 2, 2, 2), (2,)]),
    ("conv_transpose3d_all_args", lambda m, x, w: F(m).conv_transpose3d(
        x, w, stride=(2, 1, 2), padding=(1, 0, 1), output_padding=(1, 0, 0), groups=2, dilation=(1, 2, 1)),
     [(1, 4, 2, 3, 3), (4, 1, 3, 2, 2)]),
    ("torch_conv3d", lambda m, x, w: m.conv3d(x, w, None, 1, 1), [(1, 2, 3, 3, 3), (2, 2, 3, 3, 3)]),
    ("torch_conv_transpose1d", lambda m, x, w: m.conv_transpose1d(x, w, None, 2), [(1, 2, 3), (2, 2, 2)]),
    ("torch_conv_transpose3d", lambda m, x, w: m.conv_transpose3d(x, w, None, 2), [(1, 2, 2, 2, 2), (2, 1, 2, 2, 2)]),
    ("unfold", lambda m, x: F(m).unfold(x, 2), [(2, 2, 3, 4)]),
    ("unfold_all_args", lambda m, x: F(m).unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
     [(1, 2, 4, 5)]),
    ("unfold_unbatched", lambda m, x: F(m).unfold(x, 2, stride=2), [(2, 4, 4)]),
    ("fold", lambda m, x: F(m).fold(x, (3, 3), 2), [(2, 8, 4)]),
    ("fold_all_args", lambda m, x: F(m).fold(x, (4, 5), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
     [(1, 12, 9)]),
    ("fold_unbatched", lambda m, x: F(m).fold(x, (4, 4), 2, stride=2), [(8, 4)]),
    # -------------------------------------------------------------------- pooling
    ("max_pool2d", lambda m, x: F(m).max_pool2d(x, 2), [(2, 3, 4, 6)]),
    ("max_pool2d_overlap", lambda m, x: F(m).max_pool2d(x, 3, stride=1), [(1, 2, 5, 5)]),
    ("max_pool2d_pad_stride", lambda m, x: F(m).max_pool2d(x, (3, 2), stride=(2, 1), padding=1),
     [(2, 2, 5, 4)]),
    ("max_pool2d_dilation", lambda m, x: F(m).max_pool2d(x, 2, stride=1, dilation=2), [(1, 2, 5, 5)]),
    ("max_pool2d_ceil", lambda m, x: F(m).max_pool2d(x, 2, ceil_mode=True), [(1, 2, 5, 5)]),
    ("max_pool2d_ceil_pad", lambda m, x: F(m).max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
     [(1, 2, 6, 6)]),
    ("max_pool2d_indices", lambda m, x: F(m).max_pool2d(x, 2, return_indices=True)[0], [(1, 2, 4, 4)]),
    ("max_pool2d_unbatched", lambda m, x: F(m).max_pool2d(x, 2), [(2, 4, 4)]),
    ("max_pool1d", lambda m, x: F(m).max_pool1d(x, 2), [(2, 3, 8)]),
    ("max_pool1d_all_args", lambda m, x: F(m).max_pool1d(x, 3, stride=2, padding=1, dilation=1,
                                                          ceil_mode=True), [(2, 2, 8)]),
    ("max_pool1d_unbatched", lambda m, x: F(m).max_pool1d(x, 2, stride=1), [(2, 5)]),
    ("max_pool3d", lambda m, x: F(m).max_pool3d(x, 2), [(2, 3, 4, 4, 6)]),
    ("max_pool3d_all_args", lambda m, x: F(m).max_pool3d(x, (3, 2, 3), stride=(2, 1, 2), padding=1,
                                                          dilation=(1, 2, 1), ceil_mode=True), [(1, 2, 5, 6, 6)]),
    ("max_pool3d_indices", lambda m, x: F(m).max_pool3d(x, 2, stride=1, return_indices=True)[0], [(1, 2, 3, 3, 4)]),
    ("max_pool3d_unbatched", lambda m, x: F(m).max_pool3d(x, 2), [(2, 4, 4, 4)]),
    ("torch_max_pool3d", lambda m, x: m.max_pool3d(x, 2), [(1, 2, 4, 4, 4)]),
    ("avg_pool3d", lambda m, x: F(m).avg_pool3d(x, 2), [(2, 3, 4, 4, 6)]),
    ("avg_pool3d_pad_exclude_ceil", lambda m, x: F(m).avg_pool3d(
        x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), [(1, 2, 5, 6, 6)]),
    ("avg_pool3d_pad_include", lambda m, x: F(m).avg_pool3d(x, (2, 3, 3), stride=(1, 2, 2), padding=(1, 1, 0)),
     [(1, 2, 3, 5, 5)]),
    ("avg_pool3d_divisor_unbatched", lambda m, x: F(m).avg_pool3d(x, 2, divisor_override=3), [(2, 4, 4, 4)]),
    ("adaptive_avg_pool3d", lambda m, x: F(m).adaptive_avg_pool3d(x, (2, 3, 2)), [(2, 2, 5, 7, 5)]),
    ("adaptive_avg_pool3d_global", lambda m, x: F(m).adaptive_avg_pool3d(x, 1), [(2, 3, 3, 4, 5)]),
    ("adaptive_avg_pool3d_none_unbatched", lambda m, x: F(m).adaptive_avg_pool3d(x, (None, 2, 3)),
     [(2, 3, 5, 4)]),
    ("adaptive_max_pool3d", lambda m, x: F(m).adaptive_max_pool3d(x, (2, 3, 2)), [(2, 2, 5, 7, 5)]),
    ("adaptive_max_pool3d_indices_unbatched",
     lambda m, x: F(m).adaptive_max_pool3d(x, 2, return_indices=True)[0], [(2, 3, 5, 4)]),
    ("avg_pool2d", lambda m, x: F(m).avg_pool2d(x, 2), [(2, 3, 4, 6)]),
    ("avg_pool2d_pad_include", lambda m, x: F(m).avg_pool2d(x, 3, stride=2, padding=1), [(1, 2, 5, 5)]),
    ("avg_pool2d_pad_exclude", lambda m, x: F(m).avg_pool2d(x, 3, stride=2, padding=1,
                                                             count_include_pad=False), [(1, 2, 5, 5)]),
    ("avg_pool2d_ceil", lambda m, x: F(m).avg_pool2d(x, 2, ceil_mode=True), [(1, 2, 5, 5)]),
    ("avg_pool2d_ceil_pad", lambda m, x: F(m).avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
     [(1, 2, 6, 6)]),
    ("avg_pool2d_ceil_pad_exclude", lambda m, x: F(m).avg_pool2d(
        x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), [(1, 2, 6, 6)]),
    ("avg_pool2d_divisor", lambda m, x: F(m).avg_pool2d(x, 2, divisor_override=3), [(1, 2, 4, 4)]),
    ("avg_pool2d_rect", lambda m, x: F(m).avg_pool2d(x, (1, 3), stride=(2, 1)), [(1, 2, 4, 5)]),
    ("avg_pool1d", lambda m, x: F(m).avg_pool1d(x, 3, stride=2, padding=1), [(2, 3, 7)]),
    ("avg_pool1d_exclude_ceil", lambda m, x: F(m).avg_pool1d(
        x, 2, padding=1, ceil_mode=True, count_include_pad=False), [(2, 2, 5)]),
    ("adaptive_avg_pool2d", lambda m, x: F(m).adaptive_avg_pool2d(x, (3, 2)), [(2, 2, 7, 5)]),
    ("adaptive_avg_pool2d_global", lambda m, x: F(m).adaptive_avg_pool2d(x, 1), [(2, 3, 4, 5)]),
    ("adaptive_avg_pool2d_grow", lambda m, x: F(m).adaptive_avg_pool2d(x, (5, 3)), [(1, 2, 3, 2)]),
    ("adaptive_avg_pool2d_none", lambda m, x: F(m).adaptive_avg_pool2d(x, (None, 2)), [(1, 2, 3, 5)]),
    ("adaptive_avg_pool2d_unbatched", lambda m, x: F(m).adaptive_avg_pool2d(x, 2), [(2, 5, 5)]),
    ("adaptive_avg_pool1d", lambda m, x: F(m).adaptive_avg_pool1d(x, 3), [(2, 3, 7)]),
    ("adaptive_max_pool2d", lambda m, x: F(m).adaptive_max_pool2d(x, (3, 2)), [(2, 2, 7, 5)]),
    ("adaptive_max_pool2d_global", lambda m, x: F(m).adaptive_max_pool2d(x, 1), [(2, 3, 4, 5)]),
    ("adaptive_max_pool2d_indices", lambda m, x: F(m).adaptive_max_pool2d(x, 2, return_indices=True)[0],
     [(1, 2, 5, 5)]),
    ("adaptive_max_pool1d", lambda m, x: F(m).adaptive_max_pool1d(x, 3), [(2, 2, 7)]),
    ("lp_pool1d", lambda m, x: F(m).lp_pool1d(x.abs() + 0.5, 2, 3, stride=2), [(2, 3, 8)]),
    ("lp_pool2d_p3_ceil", lambda m, x: F(m).lp_pool2d(x.abs() + 0.5, 3, (2, 3), ceil_mode=True), [(1, 2, 5, 7)]),
    ("lp_pool2d_inf", lambda m, x: F(m).lp_pool2d(x, float("inf"), 2), [(1, 2, 4, 4)]),
    ("lp_pool3d", lambda m, x: F(m).lp_pool3d(x.abs() + 0.5, 1.5, 2, stride=1), [(1, 2, 3, 3, 4)]),
    ("max_unpool1d", lambda m, x: F(m).max_unpool1d(*F(m).max_pool1d(x, 2, return_indices=True), 2),
     [(2, 3, 8)]),
    ("max_unpool2d_output_size", lambda m, x: F(m).max_unpool2d(
        *F(m).max_pool2d(x, (2, 3), stride=(2, 3), padding=1, return_indices=True), (2, 3), padding=1,
        output_size=(1, 2, 6, 8)), [(1, 2, 6, 8)]),
    ("max_unpool2d_unbatched", lambda m, x: F(m).max_unpool2d(*F(m).max_pool2d(x, 2, return_indices=True), 2),
     [(2, 4, 4)]),
    ("max_unpool3d", lambda m, x: F(m).max_unpool3d(*F(m).max_pool3d(x, 2, return_indices=True), 2),
     [(1, 2, 4, 4, 4)]),
    ("pixel_shuffle", lambda m, x: F(m).pixel_shuffle(x, 2), [(2, 8, 3, 2)]),
    ("pixel_shuffle_5d", lambda m, x: F(m).pixel_shuffle(x, 3), [(2, 1, 9, 2, 2)]),
    ("pixel_unshuffle", lambda m, x: F(m).pixel_unshuffle(x, 2), [(2, 3, 4, 6)]),
    ("pixel_unshuffle_3d", lambda m, x: F(m).pixel_unshuffle(x, 3), [(2, 3, 6)]),
    # -------------------------------------------------------------------- padding
    ("pad_reflect_1d", lambda m, x: F(m).pad(x, (2, 1), mode="reflect"), [(2, 3, 4)]),
    ("pad_reflect_2d", lambda m, x: F(m).pad(x, (1, 2, 2, 0), mode="reflect"), [(1, 2, 3, 4)]),
    ("pad_reflect_unbatched", lambda m, x: F(m).pad(x, (1, 1, 1, 1), mode="reflect"), [(2, 3, 3)]),
    ("pad_replicate_1d", lambda m, x: F(m).pad(x, (3, 1), mode="replicate"), [(2, 2, 3)]),
    ("pad_replicate_2d", lambda m, x: F(m).pad(x, (2, 0, 1, 3), mode="replicate"), [(1, 2, 3, 3)]),
    ("pad_circular_2d", lambda m, x: F(m).pad(x, (1, 2, 2, 1), mode="circular"), [(1, 2, 3, 3)]),
    ("pad_constant_value", lambda m, x: F(m).pad(x, (1, 2, 0, 1), value=-0.5), [(2, 2, 3)]),
    ("pad_constant_crop", lambda m, x: F(m).pad(x, (-1, 2, 1, -2)), [(2, 4, 3)]),
    # -------------------------------------------------------------------- resampling
    ("interp_nearest_scale", lambda m, x: F(m).interpolate(x, scale_factor=2), [(1, 2, 3, 3)]),
    ("interp_nearest_size", lambda m, x: F(m).interpolate(x, size=(5, 7)), [(1, 2, 3, 4)]),
    ("interp_nearest_down", lambda m, x: F(m).interpolate(x, size=(2, 3)), [(1, 2, 5, 7)]),
    ("interp_nearest_frac_scale", lambda m, x: F(m).interpolate(x, scale_factor=(1.5, 2.5)), [(1, 1, 3, 3)]),
    ("interp_nearest_exact", lambda m, x: F(m).interpolate(x, size=(5, 4), mode="nearest-exact"),
     [(1, 2, 3, 3)]),
    ("interp_nearest_1d", lambda m, x: F(m).interpolate(x, scale_factor=3), [(2, 2, 3)]),
    ("interp_nearest_3d", lambda m, x: F(m).interpolate(x, size=(3, 2, 5)), [(1, 2, 2, 3, 3)]),
    ("interp_nearest_exact_3d", lambda m, x: F(m).interpolate(x, scale_factor=(1.5, 2, 0.7),
                                                               mode="nearest-exact"), [(1, 1, 2, 3, 4)]),
    ("interp_trilinear", lambda m, x: F(m).interpolate(x, scale_factor=(2, 1.5, 0.6),
                                                        mode="trilinear"), [(1, 2, 2, 3, 5)]),
    ("interp_trilinear_corners", lambda m, x: F(m).interpolate(x, size=(3, 4, 2), mode="trilinear",
                                                                align_corners=True), [(2, 1, 2, 3, 3)]),
    ("interp_area_3d", lambda m, x: F(m).interpolate(x, size=(2, 2, 3), mode="area"), [(1, 2, 3, 4, 5)]),
    ("interp_bilinear", lambda m, x: F(m).interpolate(x, scale_factor=2, mode="bilinear"), [(1, 2, 3, 3)]),
    ("interp_bilinear_size", lambda m, x: F(m).interpolate(x, size=(5, 2), mode="bilinear"), [(1, 2, 3, 4)]),
    ("interp_bilinear_corners", lambda m, x: F(m).interpolate(x, size=(5, 7), mode="bilinear",
                                                              align_corners=True), [(1, 2, 3, 4)]),
    ("interp_bilinear_down", lambda m, x: F(m).interpolate(x, scale_factor=0.5, mode="bilinear"),
     [(1, 2, 6, 5)]),
    ("interp_bilinear_recompute", lambda m, x: F(m).interpolate(
        x, scale_factor=1.7, mode="bilinear", recompute_scale_factor=True), [(1, 1, 3, 4)]),
    ("interp_linear", lambda m, x: F(m).interpolate(x, size=7, mode="linear"), [(2, 2, 4)]),
    ("interp_linear_corners", lambda m, x: F(m).interpolate(x, scale_factor=2, mode="linear",
                                                            align_corners=True), [(2, 2, 4)]),
    ("interp_area", lambda m, x: F(m).interpolate(x, size=(2, 3), mode="area"), [(1, 2, 5, 7)]),
    ("interp_bicubic", lambda m, x: F(m).interpolate(x, size=(5, 7), mode="bicubic"), [(1, 2, 3, 4)]),
    ("interp_bicubic_down_corners", lambda m, x: F(m).interpolate(
        x, size=(3, 2), mode="bicubic", align_corners=True), [(2, 1, 6, 5)]),
    ("interp_bilinear_antialias", lambda m, x: F(m).interpolate(
        x, size=(2, 3), mode="bilinear", antialias=True), [(1, 2, 6, 7)]),
    ("interp_bicubic_antialias", lambda m, x: F(m).interpolate(
        x, scale_factor=0.4, mode="bicubic", antialias=True), [(1, 2, 8, 6)]),
    # ------------------------------------------------------------- spatial transformers
    ("grid_sample_bilinear", lambda m, x, g: F(m).grid_sample(x, g, align_corners=False),
     [(2, 2, 4, 5), (2, 3, 2, 2)]),
    ("grid_sample_border_corners", lambda m, x, g: F(m).grid_sample(
        x, g, padding_mode="border", align_corners=True), [(1, 2, 4, 3), (1, 2, 5, 2)]),
    ("grid_sample_reflection", lambda m, x, g: F(m).grid_sample(
        x, g * 1.5, padding_mode="reflection", align_corners=False), [(1, 1, 3, 4), (1, 3, 3, 2)]),
    ("grid_sample_reflection_corners", lambda m, x, g: F(m).grid_sample(
        x, g * 1.5, padding_mode="reflection", align_corners=True), [(1, 2, 4, 4), (1, 2, 3, 2)]),
    ("grid_sample_nearest", lambda m, x, g: F(m).grid_sample(x, g, mode="nearest",
                                                             align_corners=False),
     [(2, 2, 4, 5), (2, 3, 2, 2)]),
    ("grid_sample_bicubic", lambda m, x, g: F(m).grid_sample(x, g, mode="bicubic",
                                                             align_corners=False),
     [(1, 2, 4, 5), (1, 3, 2, 2)]),
    ("grid_sample_bicubic_reflection_corners", lambda m, x, g: F(m).grid_sample(
        x, g * 1.5, mode="bicubic", padding_mode="reflection", align_corners=True),
     [(1, 1, 4, 4), (1, 2, 3, 2)]),
    ("grid_sample_bicubic_border", lambda m, x, g: F(m).grid_sample(
        x, g, mode="bicubic", padding_mode="border", align_corners=False),
     [(2, 1, 3, 4), (2, 2, 2, 2)]),
    ("grid_sample_3d", lambda m, x, g: F(m).grid_sample(x, g, align_corners=False),
     [(1, 2, 3, 4, 3), (1, 2, 2, 2, 3)]),
    ("grid_sample_3d_border", lambda m, x, g: F(m).grid_sample(
        x, g, padding_mode="border", align_corners=True), [(1, 1, 3, 3, 4), (1, 2, 3, 1, 3)]),
    ("affine_grid", lambda m, t: F(m).affine_grid(t, (2, 1, 3, 4), align_corners=False),
     [(2, 2, 3)]),
    ("affine_grid_3d_corners", lambda m, t: F(m).affine_grid(t, (1, 1, 2, 3, 2),
                                                             align_corners=True), [(1, 3, 4)]),
    ("affine_grid_then_sample", lambda m, x, t: F(m).grid_sample(
        x, F(m).affine_grid(t * 0.5, (1, 2, 3, 3), align_corners=False), align_corners=False),
     [(1, 2, 4, 4), (1, 2, 3)]),
    ("torch_grid_sampler", lambda m, x, g: m.grid_sampler(x, g, 0, 1, False),
     [(1, 2, 4, 4), (1, 2, 3, 2)]),
    ("torch_affine_grid_generator", lambda m, t: m.affine_grid_generator(t, (1, 1, 2, 3), True),
     [(1, 2, 3)]),
    # ------------------------------------------- torch's namespace forms and old names
    ("torch_conv2d", lambda m, x, w, b: m.conv2d(x, w, b, 1, 1), [(1, 2, 4, 4), (3, 2, 3, 3), (3,)]),
    ("torch_conv1d", lambda m, x, w: m.conv1d(x, w, None, 2), [(1, 2, 7), (3, 2, 3)]),
    ("torch_conv_transpose2d", lambda m, x, w: m.conv_transpose2d(x, w, None, 2), [(1, 2, 3, 3), (2, 2, 2, 2)]),
    ("torch_max_pool2d", lambda m, x: m.max_pool2d(x, 2), [(1, 2, 4, 4)]),
    ("torch_max_pool1d", lambda m, x: m.max_pool1d(x, 3, 2, 1), [(1, 2, 7)]),
    ("torch_max_pool1d_with_indices", lambda m, x: m.max_pool1d_with_indices(x, 2)[0], [(1, 2, 6)]),
    ("torch_avg_pool1d", lambda m, x: m.avg_pool1d(x, 2), [(1, 2, 6)]),
    ("torch_adaptive_avg_pool1d", lambda m, x: m.adaptive_avg_pool1d(x, 4), [(1, 2, 6)]),
    ("torch_adaptive_max_pool1d", lambda m, x: m.adaptive_max_pool1d(x, 2)[0], [(1, 2, 6)]),
    ("torch_group_norm", lambda m, x, w, b: m.group_norm(x, 2, w, b), [(2, 4, 3), (4,), (4,)]),
    ("max_pool2d_with_indices", lambda m, x: F(m).max_pool2d_with_indices(x, 2)[0], [(1, 2, 4, 4)]),
    ("adaptive_max_pool2d_with_indices",
     lambda m, x: F(m).adaptive_max_pool2d_with_indices(x, 2)[0], [(1, 2, 5, 5)]),
    ("fractional_max_pool2d", lambda m, x: F(m).fractional_max_pool2d(
        x, 2, output_size=(3, 4), _random_samples=m.tensor(_U2, dtype=x.dtype)), [(2, 3, 6, 7)]),
    ("fractional_max_pool2d_ratio_unbatched", lambda m, x: F(m).fractional_max_pool2d(
        x, (3, 2), output_ratio=(0.5, 0.75), _random_samples=m.tensor(_U2[:1], dtype=x.dtype)),
     [(3, 8, 5)]),
    ("fractional_max_pool2d_with_indices", lambda m, x: F(m).fractional_max_pool2d_with_indices(
        x, 1, output_size=5, _random_samples=m.tensor(_U2, dtype=x.dtype))[0], [(2, 3, 7, 7)]),
    ("fractional_max_pool3d", lambda m, x: F(m).fractional_max_pool3d(
        x, (2, 1, 2), output_size=(2, 3, 3), _random_samples=m.tensor(_U3, dtype=x.dtype)),
     [(2, 2, 4, 5, 6)]),
    ("upsample_nearest", lambda m, x: F(m).upsample_nearest(x, scale_factor=2), [(1, 2, 3, 3)]),
    ("upsample_bilinear", lambda m, x: F(m).upsample_bilinear(x, size=(4, 5)), [(1, 2, 3, 3)]),
    # -------------------------------------------------------------- normalisation
    ("batch_norm_4d_train", lambda m, x, w, b: F(m).batch_norm(x, None, None, w, b, training=True),
     [(3, 2, 3, 3), (2,), (2,)]),
    ("batch_norm_3d_train", lambda m, x, w, b: F(m).batch_norm(x, None, None, w, b, training=True),
     [(3, 2, 4), (2,), (2,)]),
    ("batch_norm_5d_train", lambda m, x, w, b: F(m).batch_norm(x, None, None, w, b, training=True),
     [(3, 2, 2, 3, 2), (2,), (2,)]),
    ("batch_norm_4d_eval", lambda m, x, w, b: F(m).batch_norm(
        x, m.ones(2) * 0.2, m.ones(2) * 1.5, w, b, training=False), [(3, 2, 3, 3), (2,), (2,)]),
    ("instance_norm", lambda m, x: F(m).instance_norm(x), [(2, 3, 4, 5)]),
    ("instance_norm_affine_1d", lambda m, x, w, b: F(m).instance_norm(x, weight=w, bias=b, eps=1e-3),
     [(2, 3, 6), (3,), (3,)]),
    ("instance_norm_running_stats_3d", lambda m, x, w: F(m).instance_norm(
        x, m.zeros(2), m.ones(2), w, None, momentum=0.3), [(2, 2, 2, 3, 2), (2,)]),
    ("instance_norm_eval_stats", lambda m, x: F(m).instance_norm(
        x, m.ones(3) * 0.2, m.ones(3) * 1.5, use_input_stats=False), [(2, 3, 4)]),
    ("local_response_norm_3d", lambda m, x: F(m).local_response_norm(x, 3), [(2, 5, 4)]),
    ("local_response_norm_4d", lambda m, x: F(m).local_response_norm(x, 2, alpha=0.1, beta=0.5, k=2.0),
     [(2, 5, 3, 3)]),
    ("local_response_norm_5d", lambda m, x: F(m).local_response_norm(x, 4, alpha=0.05), [(1, 6, 2, 2, 3)]),
    ("torch_instance_norm", lambda m, x: m.instance_norm(x, None, None, None, None, True, 0.1, 1e-5, False),
     [(2, 3, 5)]),
    ("torch_pixel_shuffle", lambda m, x: m.pixel_shuffle(x, 2), [(1, 4, 2, 2)]),
    ("torch_pixel_unshuffle", lambda m, x: m.pixel_unshuffle(x, 2), [(1, 1, 4, 2)]),
    ("group_norm", lambda m, x, w, b: F(m).group_norm(x, 2, w, b), [(2, 4, 3, 3), (4,), (4,)]),
    ("group_norm_no_affine", lambda m, x: F(m).group_norm(x, 3, eps=1e-3), [(2, 6, 5)]),
    ("group_norm_one_group", lambda m, x, w: F(m).group_norm(x, 1, w), [(2, 3, 2, 2), (3,)]),
    ("group_norm_instance", lambda m, x, w, b: F(m).group_norm(x, 3, w, b), [(2, 3, 4), (3,), (3,)]),
    ("group_norm_2d_input", lambda m, x: F(m).group_norm(x, 2), [(3, 4)]),
]

IDS = [c[0] for c in CASES]


def _arrays(shapes, dtype, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


@pytest.mark.parametrize("name,fn,shapes", CASES, ids=IDS)
def test_matches_torch_float32(name, fn, shapes):
    arrays = _arrays(shapes, np.float32, seed=len(name))
    e_in = [ember.tensor(a, requires_grad=True) for a in arrays]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    e_out, t_out = fn(ember, *e_in), fn(torch, *t_in)

    assert e_out.shape == tuple(t_out.shape)
    assert e_out.dtype == ember.float32 and t_out.dtype == torch.float32
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-5, atol=1e-5)
    assert e_out.grad_fn.name() == t_out.grad_fn.name()

    upstream = np.random.default_rng(1).standard_normal(e_out.shape).astype(np.float32)
    e_out.backward(ember.tensor(upstream))
    t_out.backward(torch.tensor(upstream))
    for e, t in zip(e_in, t_in):
        assert t.grad is not None and e.grad is not None
        assert e.grad.shape == e.shape and e.grad.dtype == ember.float32
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name,fn,shapes", CASES, ids=IDS)
def test_gradcheck_float64(name, fn, shapes):
    arrays = _arrays(shapes, np.float64, seed=len(name) + 7)
    inputs = [ember.tensor(a, requires_grad=True) for a in arrays]
    out = fn(ember, *inputs)
    assert out.dtype == ember.float64  # float64 in, float64 out: no silent downcast
    assert ember.autograd.gradcheck(lambda *xs: fn(ember, *xs), inputs, eps=1e-6, atol=1e-5)
