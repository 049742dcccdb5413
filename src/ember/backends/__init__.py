"""``ember.backends``: torch's backend switches, answered as a CPU-only install answers.

``backends.mps.is_available()`` and ``backends.cudnn.is_available()`` are False; the cuDNN and
TF32 flags (``cudnn.benchmark``, ``cudnn.deterministic``, ``cuda.matmul.allow_tf32``) can be read
and set (they change nothing on the CPU); ``mkl``, ``openmp`` and ``mkldnn`` report NumPy's CPU
back end as available.

Example::

    >>> ember.backends.mps.is_available(), ember.backends.cudnn.is_available()
    (False, False)
    >>> ember.backends.cudnn.benchmark = True     # typical boilerplate: accepted, no effect
"""
from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp

__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp"]
