"""``keras.config``: process-wide Keras settings that layers read when an argument is left
None (today the image data format: ``'channels_last'`` unless changed).

Example::

    >>> from ember import keras
    >>> keras.config.image_data_format()
    'channels_last'
"""
from __future__ import annotations

__all__ = ["image_data_format", "set_image_data_format", "standardize_data_format"]

_FORMATS = ("channels_first", "channels_last")
_IMAGE_DATA_FORMAT = ["channels_last"]


def image_data_format() -> str:
    """The default layout of image tensors: 'channels_last' (N, H, W, C) or 'channels_first'."""
    return _IMAGE_DATA_FORMAT[0]


def set_image_data_format(data_format) -> None:
    """Sets the default layout that layers with ``data_format=None`` use."""
    data_format = str(data_format).lower()
    if data_format not in _FORMATS:
        raise ValueError(f"The `data_format` argument must be one of {{'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    _IMAGE_DATA_FORMAT[0] = data_format


def standardize_data_format(data_format) -> str:
    """``None`` → :func:`image_data_format`; otherwise the lower-cased, checked value."""
    if data_format is None:
        return image_data_format()
    data_format = str(data_format).lower()
    if data_format not in _FORMATS:
        raise ValueError(f"The `data_format` argument must be one of {{'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    return data_format
