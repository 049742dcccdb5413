"""Bad input to the convolution, pooling, padding, resampling and normalisation functions and
modules raises torch's exception type with torch's message: each call runs on both libraries."""
import re

import pytest

import ember

torch = pytest.importorskip("torch")


def z(m, *shape):
    return m.zeros(*shape)


CASES = [
    # wrong rank / channel count / kernel larger than the padded input
    ("conv2d_channels", lambda m: m.nn.Conv2d(1, 6, 5)(z(m, 32, 3, 28, 28))),
    ("conv2d_rank5", lambda m: m.nn.Conv2d(1, 6, 5)(z(m, 1, 28, 28, 1, 1))),
    ("conv2d_rank2", lambda m: m.nn.Conv2d(1, 6, 5)(z(m, 28, 28))),
    ("conv1d_rank4", lambda m: m.nn.Conv1d(1, 6, 5)(z(m, 2, 1, 3, 28))),
    ("conv1d_channels", lambda m: m.nn.Conv1d(2, 6, 5)(z(m, 2, 1, 28))),
    ("conv2d_groups_channels", lambda m: m.nn.functional.conv2d(z(m, 1, 6, 8, 8), z(m, 4, 2, 2, 2), groups=2)),
    ("conv2d_groups_weight", lambda m: m.nn.functional.conv2d(z(m, 1, 4, 8, 8), z(m, 3, 2, 2, 2), groups=2)),
    ("conv2d_kernel_too_big", lambda m: m.nn.Conv2d(1, 6, 5)(z(m, 1, 1, 4, 4))),
    ("conv2d_kernel_too_big_padded", lambda m: m.nn.Conv2d(1, 6, 5, padding=1)(z(m, 1, 1, 2, 2))),
    ("conv1d_kernel_too_big", lambda m: m.nn.Conv1d(1, 6, 5)(z(m, 1, 1, 4))),
    ("conv2d_weight_rank", lambda m: m.nn.functional.conv1d(z(m, 1, 2, 8), z(m, 3, 2, 2, 2))),
    ("conv2d_bias_shape", lambda m: m.nn.functional.conv2d(z(m, 1, 2, 8, 8), z(m, 3, 2, 2, 2), z(m, 3, 1))),
    ("conv2d_dtype", lambda m: m.nn.functional.conv2d(z(m, 1, 2, 8, 8), z(m, 3, 2, 2, 2).double())),
    ("conv2d_bias_dtype", lambda m: m.nn.functional.conv2d(z(m, 1, 2, 8, 8), z(m, 3, 2, 2, 2),
                                                            z(m, 3).double())),
    ("conv_transpose_channels", lambda m: m.nn.ConvTranspose2d(2, 6, 3)(z(m, 1, 3, 8, 8))),
    ("conv_transpose_rank", lambda m: m.nn.functional.conv_transpose2d(z(m, 1, 1, 2, 8, 8), z(m, 2, 3, 2, 2))),
    ("conv_transpose_output_padding", lambda m: m.nn.ConvTranspose2d(2, 6, 3, output_padding=1)(z(m, 1, 2, 8, 8))),
    # zero or negative stride, padding, dilation
    ("conv2d_stride0", lambda m: m.nn.Conv2d(1, 6, 5, stride=0)(z(m, 1, 1, 8, 8))),
    ("conv2d_stride_negative", lambda m: m.nn.functional.conv2d(z(m, 1, 1, 8, 8), z(m, 6, 1, 5, 5), stride=-1)),
    ("conv2d_padding_negative", lambda m: m.nn.functional.conv2d(z(m, 1, 1, 8, 8), z(m, 6, 1, 5, 5), padding=-1)),
    ("conv2d_dilation0", lambda m: m.nn.functional.conv2d(z(m, 1, 1, 8, 8), z(m, 6, 1, 5, 5), dilation=0)),
    ("conv2d_stride_length", lambda m: m.nn.functional.conv2d(z(m, 1, 2, 8, 8), z(m, 3, 2, 2, 2), stride=(1, 1, 1))),
    ("conv2d_same_strided", lambda m: m.nn.functional.conv2d(z(m, 1, 1, 8, 8), z(m, 6, 1, 5, 5),
                                                              padding="same", stride=2)),
    ("conv2d_bad_padding_string", lambda m: m.nn.functional.conv2d(z(m, 1, 1, 8, 8), z(m, 6, 1, 5, 5), padding="foo")),
    ("conv_transpose_dilation0", lambda m: m.nn.functional.conv_transpose2d(z(m, 1, 2, 8, 8), z(m, 2, 3, 2, 2),
                                                                            dilation=0)),
    # 3-D convolutions and the 1-D/3-D transposed ones
    ("conv3d_channels", lambda m: m.nn.Conv3d(1, 6, 3)(z(m, 2, 3, 8, 8, 8))),
    ("conv3d_rank3", lambda m: m.nn.Conv3d(1, 6, 3)(z(m, 3, 8, 8))),
    ("conv3d_kernel_too_big", lambda m: m.nn.Conv3d(1, 6, 5)(z(m, 1, 1, 4, 8, 8))),
    ("conv3d_stride_length", lambda m: m.nn.functional.conv3d(z(m, 1, 2, 4, 4, 4), z(m, 3, 2, 2, 2, 2),
                                                               stride=(1, 1))),
    ("conv_transpose3d_channels", lambda m: m.nn.ConvTranspose3d(2, 6, 3)(z(m, 1, 3, 4, 4, 4))),
    ("conv_transpose3d_dilation0", lambda m: m.nn.functional.conv_transpose3d(
        z(m, 1, 2, 3, 3, 3), z(m, 2, 2, 2, 2, 2), dilation=0)),
    ("conv_transpose3d_output_padding", lambda m: m.nn.functional.conv_transpose3d(
        z(m, 1, 2, 3, 3, 3), z(m, 2, 2, 2, 2, 2), stride=2, output_padding=3)),
    ("conv_transpose3d_too_small", lambda m: m.nn.functional.conv_transpose3d(
        z(m, 1, 2, 3, 3, 3), z(m, 2, 2, 2, 2, 2), padding=5)),
    ("conv_transpose3d_groups_weight", lambda m: m.nn.functional.conv_transpose3d(
        z(m, 1, 3, 3, 3, 3), z(m, 3, 2, 2, 2, 2), groups=2)),
    ("conv_transpose1d_rank4", lambda m: m.nn.functional.conv_transpose1d(z(m, 3, 4, 4, 4), z(m, 3, 1, 2))),
    ("conv_transpose1d_stride0", lambda m: m.nn.functional.conv_transpose1d(z(m, 1, 2, 3), z(m, 2, 2, 2),
                                                                            stride=0)),
    ("conv_transpose1d_dilation0", lambda m: m.nn.functional.conv_transpose1d(z(m, 1, 2, 3), z(m, 2, 2, 2),
                                                                              dilation=0)),
    ("conv_transpose1d_output_padding", lambda m: m.nn.functional.conv_transpose1d(
        z(m, 1, 2, 3), z(m, 2, 2, 2), stride=2, output_padding=3)),
    ("conv_transpose1d_too_small", lambda m: m.nn.functional.conv_transpose1d(z(m, 1, 2, 3), z(m, 2, 2, 2),
                                                                              padding=5)),
    ("conv_transpose1d_padding_string", lambda m: m.nn.functional.conv_transpose1d(
        z(m, 1, 2, 3), z(m, 2, 2, 2), padding="same")),
    ("ConvTranspose3d_padding_mode", lambda m: m.nn.ConvTranspose3d(4, 6, 3, padding_mode="reflect")),
    # module constructor checks
    ("Conv2d_groups_in", lambda m: m.nn.Conv2d(3, 6, 5, groups=2)),
    ("Conv2d_groups_out", lambda m: m.nn.Conv2d(4, 6, 5, groups=4)),
    ("Conv2d_groups0", lambda m: m.nn.Conv2d(4, 6, 5, groups=0)),
    ("Conv2d_same_strided", lambda m: m.nn.Conv2d(4, 6, 5, padding="same", stride=2)),
    ("Conv2d_bad_padding", lambda m: m.nn.Conv2d(4, 6, 5, padding="foo")),
    ("Conv2d_bad_padding_mode", lambda m: m.nn.Conv2d(4, 6, 5, padding_mode="foo")),
    ("ConvTranspose2d_padding_mode", lambda m: m.nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect")),
    ("ConvTranspose2d_groups", lambda m: m.nn.ConvTranspose2d(4, 6, 3, groups=4)),
    ("GroupNorm_divisible", lambda m: m.nn.GroupNorm(3, 4)),
    ("Dropout2d_p", lambda m: m.nn.Dropout2d(1.5)),
    # pooling: output size < 1, bad kernel/stride/padding/dilation, ranks
    ("max_pool2d_output_too_small", lambda m: m.nn.MaxPool2d(2)(z(m, 1, 6, 1, 1))),
    ("max_pool2d_output_too_small_wide", lambda m: m.nn.MaxPool2d(3)(z(m, 1, 6, 2, 5))),
    ("max_pool2d_pad_too_big", lambda m: m.nn.MaxPool2d(2, padding=2)(z(m, 1, 6, 8, 8))),
    ("max_pool2d_stride0", lambda m: m.nn.MaxPool2d(2, stride=0)(z(m, 1, 6, 8, 8))),
    ("max_pool2d_stride_negative", lambda m: m.nn.functional.max_pool2d(z(m, 1, 6, 8, 8), 2, stride=-1)),
    ("max_pool2d_kernel0", lambda m: m.nn.functional.max_pool2d(z(m, 1, 6, 8, 8), 0, stride=1)),
    ("max_pool2d_padding_negative", lambda m: m.nn.functional.max_pool2d(z(m, 1, 6, 8, 8), 2, padding=-1)),
    ("max_pool2d_dilation0", lambda m: m.nn.MaxPool2d(2, dilation=0)(z(m, 1, 6, 8, 8))),
    ("max_pool2d_rank2", lambda m: m.nn.MaxPool2d(2)(z(m, 6, 8))),
    ("max_pool2d_rank5", lambda m: m.nn.functional.max_pool2d(z(m, 1, 1, 2, 6, 8), 2)),
    ("max_pool1d_rank4", lambda m: m.nn.MaxPool1d(2)(z(m, 2, 6, 8, 8))),
    ("max_pool1d_stride0", lambda m: m.nn.functional.max_pool1d(z(m, 1, 6, 8), 2, stride=0)),
    ("max_pool1d_output_too_small", lambda m: m.nn.functional.max_pool1d(z(m, 1, 6, 3), 4)),
    ("max_pool1d_pad_too_big", lambda m: m.nn.functional.max_pool1d(z(m, 1, 6, 8), 2, padding=2)),
    ("max_pool1d_dilation0", lambda m: m.nn.functional.max_pool1d(z(m, 1, 6, 8), 2, dilation=0)),
    ("avg_pool2d_output_too_small", lambda m: m.nn.AvgPool2d(3)(z(m, 1, 6, 2, 2))),
    ("avg_pool2d_pad_too_big", lambda m: m.nn.AvgPool2d(2, padding=2)(z(m, 1, 6, 8, 8))),
    ("avg_pool2d_rank2", lambda m: m.nn.AvgPool2d(2)(z(m, 6, 8))),
    ("avg_pool2d_rank5", lambda m: m.nn.functional.avg_pool2d(z(m, 1, 1, 2, 6, 8), 2)),
    ("avg_pool2d_kernel0", lambda m: m.nn.functional.avg_pool2d(z(m, 1, 6, 8, 8), 0, stride=1)),
    ("avg_pool1d_rank4", lambda m: m.nn.AvgPool1d(2)(z(m, 1, 2, 6, 8))),
    ("avg_pool1d_output_too_small", lambda m: m.nn.functional.avg_pool1d(z(m, 1, 6, 3), 4)),
    ("adaptive_avg_pool2d_rank5", lambda m: m.nn.functional.adaptive_avg_pool2d(z(m, 1, 1, 2, 6, 8), 2)),
    ("adaptive_avg_pool2d_negative", lambda m: m.nn.functional.adaptive_avg_pool2d(z(m, 1, 2, 8, 8), -1)),
    ("adaptive_avg_pool2d_length", lambda m: m.nn.functional.adaptive_avg_pool2d(z(m, 1, 2, 8, 8), (1, 2, 3))),
    ("adaptive_avg_pool2d_empty", lambda m: m.nn.functional.adaptive_avg_pool2d(z(m, 1, 2, 0, 8), 2)),
    ("adaptive_avg_pool1d_rank4", lambda m: m.nn.AdaptiveAvgPool1d(2)(z(m, 1, 2, 8, 8))),
    ("adaptive_max_pool2d_rank2", lambda m: m.nn.AdaptiveMaxPool2d(1)(z(m, 8, 8))),
    ("max_pool3d_rank2", lambda m: m.nn.functional.max_pool3d(z(m, 2, 3), 2)),
    ("max_pool3d_stride0", lambda m: m.nn.MaxPool3d(2, stride=0)(z(m, 1, 2, 3, 4, 4))),
    ("max_pool3d_pad_too_big", lambda m: m.nn.MaxPool3d(2, padding=2)(z(m, 1, 2, 3, 4, 4))),
    ("max_pool3d_dilation0", lambda m: m.nn.functional.max_pool3d(z(m, 1, 2, 3, 4, 4), 2, dilation=0)),
    ("max_pool3d_output_too_small", lambda m: m.nn.functional.max_pool3d(z(m, 1, 2, 3, 4, 4), 5)),
    ("avg_pool3d_rank2", lambda m: m.nn.AvgPool3d(2)(z(m, 2, 3))),
    ("avg_pool3d_kernel_too_big", lambda m: m.nn.functional.avg_pool3d(z(m, 1, 2, 3, 4, 4), 5)),
    ("avg_pool3d_divisor0", lambda m: m.nn.functional.avg_pool3d(z(m, 1, 2, 3, 4, 4), 2, divisor_override=0)),
    ("adaptive_avg_pool3d_rank2", lambda m: m.nn.functional.adaptive_avg_pool3d(z(m, 2, 3), 2)),
    ("adaptive_avg_pool3d_length", lambda m: m.nn.functional.adaptive_avg_pool3d(z(m, 1, 2, 3, 4, 4), (2, 2))),
    ("adaptive_max_pool3d_rank2", lambda m: m.nn.AdaptiveMaxPool3d(1)(z(m, 8, 8))),
    ("BatchNorm3d_rank4", lambda m: m.nn.BatchNorm3d(3)(z(m, 2, 3, 4, 4))),
    ("pixel_shuffle_channels", lambda m: m.nn.functional.pixel_shuffle(z(m, 2, 5, 3, 3), 2)),
    ("pixel_shuffle_rank2", lambda m: m.nn.PixelShuffle(2)(z(m, 4, 3))),
    ("pixel_shuffle_factor0", lambda m: m.nn.functional.pixel_shuffle(z(m, 4, 3, 3), 0)),
    ("pixel_unshuffle_height", lambda m: m.nn.PixelUnshuffle(2)(z(m, 2, 1, 3, 4))),
    ("pixel_unshuffle_width", lambda m: m.nn.functional.pixel_unshuffle(z(m, 2, 1, 4, 3), 2)),
    ("local_response_norm_rank2", lambda m: m.nn.LocalResponseNorm(2)(z(m, 2, 3))),
    ("instance_norm_one_position", lambda m: m.nn.functional.instance_norm(z(m, 2, 3, 1, 1))),
    ("instance_norm_weight_size", lambda m: m.nn.functional.instance_norm(z(m, 2, 3, 4), weight=z(m, 2))),
    ("InstanceNorm1d_rank4", lambda m: m.nn.InstanceNorm1d(3)(z(m, 2, 3, 4, 4))),
    ("max_unpool2d_output_size", lambda m: m.nn.functional.max_unpool2d(
        *m.nn.functional.max_pool2d(z(m, 1, 2, 4, 4), 2, return_indices=True), 2, output_size=(9, 9))),
    ("max_unpool2d_output_size_length", lambda m: m.nn.functional.max_unpool2d(
        *m.nn.functional.max_pool2d(z(m, 1, 2, 4, 4), 2, return_indices=True), 2, output_size=(4, 4, 4))),
    ("max_unpool2d_index_shape", lambda m: m.nn.functional.max_unpool2d(
        z(m, 1, 2, 2, 2), m.zeros(1, 1, 2, 2, dtype=m.int64), 2)),
    ("max_unpool2d_index_dtype", lambda m: m.nn.functional.max_unpool2d(z(m, 1, 2, 2, 2), z(m, 1, 2, 2, 2), 2)),
    ("max_unpool1d_bad_index", lambda m: m.nn.functional.max_unpool1d(
        z(m, 1, 1, 2), m.tensor([[[0, 7]]]), 2)),
    ("LazyConv2d_rank", lambda m: m.nn.LazyConv2d(4, 3)(z(m, 2, 3))),
    ("LazyConv1d_groups", lambda m: m.nn.LazyConv1d(4, 3, groups=2)(z(m, 2, 3, 8))),
    # padding, resampling, fold, normalisation
    ("pad_reflect_too_big", lambda m: m.nn.functional.pad(z(m, 1, 1, 3, 3), (3, 3, 0, 0), mode="reflect")),
    ("pad_reflect_unsupported_size", lambda m: m.nn.functional.pad(z(m, 1, 1, 3, 3), (1, 1), mode="reflect")),
    ("pad_reflect_on_1d", lambda m: m.nn.functional.pad(z(m, 3), (1, 1), mode="reflect")),
    ("pad_too_long", lambda m: m.nn.functional.pad(z(m, 3), (1, 1, 1, 1))),
    ("pad_odd", lambda m: m.nn.functional.pad(z(m, 1, 1, 3, 3), (1, 1, 1))),
    ("pad_bad_mode", lambda m: m.nn.functional.pad(z(m, 1, 1, 3, 3), (1, 1), mode="foo")),
    ("pad_circular_wraps_twice", lambda m: m.nn.functional.pad(z(m, 1, 1, 3), (4, 0), mode="circular")),
    ("ZeroPad2d_three_values", lambda m: m.nn.ZeroPad2d((1, 2, 3))(z(m, 1, 1, 3, 3))),
    ("interpolate_both", lambda m: m.nn.functional.interpolate(z(m, 1, 1, 3, 3), size=4, scale_factor=2)),
    ("interpolate_neither", lambda m: m.nn.functional.interpolate(z(m, 1, 1, 3, 3))),
    ("interpolate_bilinear_3d", lambda m: m.nn.functional.interpolate(z(m, 1, 1, 3), size=4, mode="bilinear")),
    ("interpolate_linear_4d", lambda m: m.nn.functional.interpolate(z(m, 1, 1, 3, 3), size=4, mode="linear")),
    ("interpolate_bad_mode", lambda m: m.nn.functional.interpolate(z(m, 1, 1, 3, 3), size=4, mode="foo")),
    ("interpolate_align_nearest", lambda m: m.nn.functional.interpolate(z(m, 1, 1, 3, 3), size=4,
                                                                         align_corners=True)),
    ("interpolate_size_length", lambda m: m.nn.functional.interpolate(z(m, 1, 1, 3, 3), size=(4, 4, 4))),
    ("interpolate_output_zero", lambda m: m.nn.functional.interpolate(z(m, 1, 1, 3, 3), scale_factor=0.1)),
    ("Upsample_neither", lambda m: m.nn.Upsample()(z(m, 1, 1, 3, 3))),
    ("unfold_rank5", lambda m: m.nn.functional.unfold(z(m, 1, 1, 1, 3, 3), 2)),
    ("unfold_kernel_too_big", lambda m: m.nn.functional.unfold(z(m, 1, 1, 3, 3), 4)),
    ("fold_blocks", lambda m: m.nn.functional.fold(z(m, 1, 4, 5), (3, 3), 2)),
    ("fold_kernel_product", lambda m: m.nn.functional.fold(z(m, 1, 5, 4), (3, 3), 2)),
    ("fold_rank4", lambda m: m.nn.functional.fold(z(m, 1, 1, 4, 4), (3, 3), 2)),
    ("BatchNorm2d_rank3", lambda m: m.nn.BatchNorm2d(3)(z(m, 2, 3, 4))),
    ("BatchNorm2d_channels", lambda m: m.nn.BatchNorm2d(3)(z(m, 2, 4, 4, 4))),
    ("BatchNorm2d_channels_eval", lambda m: m.nn.BatchNorm2d(3).eval()(z(m, 2, 4, 4, 4))),
    ("BatchNorm2d_one_value_per_channel", lambda m: m.nn.BatchNorm2d(3)(z(m, 1, 3, 1, 1))),
    ("GroupNorm_channels", lambda m: m.nn.GroupNorm(2, 4)(z(m, 2, 6, 3, 3))),
    ("group_norm_groups", lambda m: m.nn.functional.group_norm(z(m, 2, 6, 3, 3), 4)),
    ("group_norm_rank1", lambda m: m.nn.functional.group_norm(z(m, 4), 2)),
    ("Unflatten_sizes", lambda m: m.nn.Unflatten(1, (2, 3))(z(m, 1, 5))),
]


def _raise(fn, m):
    with pytest.raises(Exception) as info:
        fn(m)
    return info.value


@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_error_matches_torch(name, fn):
    ref = _raise(fn, torch)
    err = _raise(fn, ember)
    assert type(err) is type(ref)
    # torch prints sizes as torch.Size([1, 3]) where ember prints (1, 3)
    expected = re.sub(r"torch\.Size\(\[([^]]*)\]\)", r"(\1)", str(ref).splitlines()[0])
    assert _sets_sorted(str(err).splitlines()[0]) == _sets_sorted(expected)


def _sets_sorted(message: str) -> str:
    """A printed set's order depends on the hash seed and on the order in which the set literal's
    constant was frozen when its file was compiled, so it differs between torch and ember from
    one process to the next: compare sets as sorted elements."""
    return re.sub(r"\{([^{}]*)\}", lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}",
                  message)
