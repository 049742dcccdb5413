"""``ember.backends.cpu``: the CPU's vector capability, as torch names it."""
import numpy as np


def get_cpu_capability() -> str:
    """``'AVX512'``, ``'AVX2'`` or ``'DEFAULT'``, from the SIMD features NumPy found."""
    try:
        features = np._core._multiarray_umath.__cpu_features__
    except AttributeError:       # older NumPy
        return "DEFAULT"
    if features.get("AVX512F"):
        return "AVX512"
    if features.get("AVX2"):
        return "AVX2"
    return "DEFAULT"
