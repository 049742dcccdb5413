"""TensorBoard ``Summary`` protocol buffers built from NumPy values, as torch's
``torch.utils.tensorboard.summary`` builds them: scalars, histograms, images, text and the
hparams plugin's three summaries. Only the ``tensorboard`` package's own protocol buffers are
used; :mod:`ember.utils.tensorboard.writer` writes them with its event-file writer.

Example::

    >>> proto = scalar("loss", 0.25)
    >>> proto.value[0].simple_value
    0.25
"""
from __future__ import annotations

import io

import numpy as np
from google.protobuf import struct_pb2
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData

__all__ = ["to_numpy", "scalar", "histogram", "default_bins", "image", "figure_to_image", "text",
           "hparams"]


def to_numpy(x) -> np.ndarray:
    """``x`` (an ember or torch Tensor, an array, a Python or NumPy number) as an array; a scalar
    becomes a 1-element array, as torch's ``make_np`` does."""
    if isinstance(x, np.ndarray):
        return x
    if np.isscalar(x):
        return np.array([x])
    if hasattr(x, "detach") and hasattr(x, "numpy"):
        return np.asarray(x.detach().numpy())
    raise NotImplementedError(f"Got {type(x)}, but numpy array or ember/torch tensor are expected.")


def scalar(tag: str, value, new_style: bool = False, double_precision: bool = False) -> Summary:
    """One scalar: ``simple_value`` (old style, torch's default) or a float tensor with the
    ``scalars`` plugin's metadata (``new_style``, as ``tf.summary.scalar`` writes it)."""
    array = to_numpy(value).squeeze()
    if array.ndim != 0:
        raise AssertionError(f"Tensor should contain one element (0 dimensions). Was given size: "
                             f"{array.size} and {array.ndim} dimensions.")
    number = float(array)
    if not new_style:
        return Summary(value=[Summary.Value(tag=tag, simple_value=number)])
    proto = (TensorProto(double_val=[number], dtype="DT_DOUBLE") if double_precision
             else TensorProto(float_val=[number], dtype="DT_FLOAT"))
    metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
    return Summary(value=[Summary.Value(tag=tag, tensor=proto, metadata=metadata)])


def default_bins() -> list[float]:
    """TensorFlow's histogram bucket limits (``bins="tensorflow"``): ±1e-12 growing by 10 % up
    to ±1e20, and 0."""
    buckets, v = [], 1e-12
    while v < 1e20:
        buckets.append(v)
        v *= 1.1
    return [-b for b in reversed(buckets)] + [0] + buckets


def histogram(tag: str, values, bins="tensorflow", max_bins: int | None = None) -> Summary:
    """A ``HistogramProto`` of ``values`` (any shape) with ``np.histogram``'s ``bins``; only the
    buckets from the first to the last non-empty one are kept, with one empty bucket on the
    left so its limit is shown (TensorBoard stores right limits only)."""
    values = to_numpy(values).astype(float).reshape(-1)
    if values.size == 0:
        raise ValueError("The input has no element.")
    if isinstance(bins, str) and bins == "tensorflow":
        bins = default_bins()
    counts, limits = np.histogram(values, bins=bins)
    if max_bins is not None and len(counts) > max_bins:
        group = len(counts) // max_bins
        if len(counts) % group:
            counts = np.pad(counts, (0, group - len(counts) % group))
        counts = counts.reshape(-1, group).sum(axis=-1)
        limits = np.concatenate([limits[:-1:group], limits[-1:]])
    nonzero = np.flatnonzero(counts)
    if nonzero.size == 0:
        raise ValueError(f"The histogram is empty: no value of {tag!r} falls inside the bins")
    start, end = int(nonzero[0]), int(nonzero[-1]) + 1
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    proto = HistogramProto(min=values.min(), max=values.max(), num=len(values), sum=values.sum(),
                           sum_squares=values.dot(values), bucket_limit=limits.tolist(),
                           bucket=counts.tolist())
    return Summary(value=[Summary.Value(tag=tag, histo=proto)])


def _grid(images: np.ndarray, ncols: int = 8) -> np.ndarray:
    """N images (N, C, H, W) with C 1 or 3 tiled into one (3, H*rows, W*cols) picture."""
    if images.shape[1] == 1:
        images = np.concatenate([images] * 3, 1)
    if images.ndim != 4 or images.shape[1] != 3:
        raise ValueError(f"images must have 1 or 3 channels; got shape {images.shape}")
    n, _, h, w = images.shape
    ncols = min(n, ncols)
    nrows = -(-n // ncols)
    canvas = np.zeros((3, h * nrows, w * ncols), images.dtype)
    for i in range(n):
        r, c = divmod(i, ncols)
        canvas[:, r * h:(r + 1) * h, c * w:(c + 1) * w] = images[i]
    return canvas


def to_hwc(array: np.ndarray, dataformats: str) -> np.ndarray:
    """An image array in ``dataformats`` (``CHW``, ``HWC``, ``HW``, ``NCHW`` …) as HWC with 1
    channel repeated to 3; N images are tiled 8 to a row."""
    fmt = dataformats.upper()
    if len(set(fmt)) != len(fmt) or not set(fmt) <= set("NCHW"):
        raise ValueError(f"dataformats must be letters of NCHW, each once; got {dataformats!r}")
    if array.ndim != len(fmt):
        raise ValueError(f"the image has {array.ndim} dimensions (shape {array.shape}) but "
                         f"dataformats={dataformats!r} names {len(fmt)}")
    if len(fmt) == 4:
        return _grid(array.transpose([fmt.find(c) for c in "NCHW"])).transpose(1, 2, 0)
    if len(fmt) == 3:
        hwc = array.transpose([fmt.find(c) for c in "HWC"])
        return np.concatenate([hwc] * 3, 2) if hwc.shape[2] == 1 else hwc
    return np.stack([array.transpose([fmt.find(c) for c in "HW"])] * 3, 2)


def image(tag: str, picture, dataformats: str = "CHW") -> Summary:
    """A PNG-encoded image: floats are taken as [0, 1] and scaled by 255, uint8 as [0, 255]."""
    from PIL import Image  # matplotlib's dependency; the plots extra brings it

    array = to_hwc(to_numpy(picture), dataformats)
    scale = 1 if array.dtype == np.uint8 else 255
    array = (array.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)
    height, width, channels = array.shape
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    encoded = Summary.Image(height=height, width=width, colorspace=channels,
                            encoded_image_string=buffer.getvalue())
    return Summary(value=[Summary.Value(tag=tag, image=encoded)])


def figure_to_image(figures, close: bool = True) -> np.ndarray:
    """A matplotlib figure rendered to a uint8 (3, H, W) array, or a list of them to (N, 3, H, W)."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    def render(figure):
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        width, height = figure.canvas.get_width_height()
        rgba = np.frombuffer(canvas.buffer_rgba(), np.uint8).reshape(height, width, 4)
        if close:
            plt.close(figure)
        return np.moveaxis(rgba[:, :, :3], 2, 0)

    if isinstance(figures, list):
        return np.stack([render(f) for f in figures])
    return render(figures)


def text(tag: str, string: str) -> Summary:
    """A string for the text plugin, under ``tag + "/text_summary"`` as torch writes it."""
    metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
        plugin_name="text", content=TextPluginData(version=0).SerializeToString()))
    proto = TensorProto(dtype="DT_STRING", string_val=[string.encode("utf_8")],
                        tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
    return Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=metadata,
                                        tensor=proto)])


def _plugin_summary(tag: str, **content) -> Summary:
    from tensorboard.plugins.hparams.metadata import PLUGIN_DATA_VERSION, PLUGIN_NAME
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData

    data = HParamsPluginData(version=PLUGIN_DATA_VERSION, **content)
    metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
        plugin_name=PLUGIN_NAME, content=data.SerializeToString()))
    return Summary(value=[Summary.Value(tag=tag, metadata=metadata)])


def hparams(hparam_dict: dict, metric_dict: dict, hparam_domain_discrete=None) -> tuple:
    """The hparams plugin's experiment, session-start and session-end summaries: numbers (and
    booleans, as numbers, as torch stores them) and strings; ``None`` values are skipped."""
    from tensorboard.plugins.hparams import metadata as hp_meta
    from tensorboard.plugins.hparams.api_pb2 import (DataType, Experiment, HParamInfo, MetricInfo,
                                                     MetricName, Status)
    from tensorboard.plugins.hparams.plugin_data_pb2 import SessionEndInfo, SessionStartInfo

    if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
        raise TypeError("hparam_dict and metric_dict should be dictionary.")
    domains = hparam_domain_discrete or {}
    if not isinstance(domains, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for key, values in domains.items():
        if key not in hparam_dict or not isinstance(values, list) or not all(
                isinstance(d, type(hparam_dict[key])) for d in values):
            raise TypeError(f"parameter: hparam_domain_discrete[{key}] should be a list of same "
                            f"type as hparam_dict[{key}].")
    start, infos = SessionStartInfo(), []
    for key, value in hparam_dict.items():
        if value is None:
            continue
        if hasattr(value, "detach"):  # a Tensor: its first element, as a number
            value = float(to_numpy(value).reshape(-1)[0])
        if isinstance(value, (int, float, np.number)):  # a bool too (an int), as torch has it
            field, kind, wrap = "number_value", "DATA_TYPE_FLOAT64", "number_value"
            value = float(value)
        elif isinstance(value, str):
            field, kind, wrap = "string_value", "DATA_TYPE_STRING", "string_value"
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        setattr(start.hparams[key], field, value)
        domain = (struct_pb2.ListValue(values=[struct_pb2.Value(**{wrap: d}) for d in domains[key]])
                  if key in domains else None)
        infos.append(HParamInfo(name=key, type=DataType.Value(kind), domain_discrete=domain))
    experiment = Experiment(hparam_infos=infos,
                            metric_infos=[MetricInfo(name=MetricName(tag=k)) for k in metric_dict])
    return (_plugin_summary(hp_meta.EXPERIMENT_TAG, experiment=experiment),
            _plugin_summary(hp_meta.SESSION_START_INFO_TAG, session_start_info=start),
            _plugin_summary(hp_meta.SESSION_END_INFO_TAG, session_end_info=SessionEndInfo(
                status=Status.Value("STATUS_SUCCESS"))))
