"""The layer, activation, loss and container Modules of ``ember.nn``."""
from . import (activation, adaptive, attention, batchnorm, channelshuffle, container, conv,  # noqa: F401
               distance, dropout,
               flatten, fold, instancenorm, linear, linear_cross_entropy_options, loss, module,
               normalization, padding, pixelshuffle, pooling, rnn, sparse,
               transformer, upsampling)
from .activation import *  # noqa: F401,F403
from .adaptive import *  # noqa: F401,F403
from .attention import MultiheadAttention  # noqa: F401 - (its projection class stays inside)
from .batchnorm import LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d  # noqa: F401
from .channelshuffle import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .fold import *  # noqa: F401,F403
from .instancenorm import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .linear_cross_entropy_options import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .sync_batchnorm import SyncBatchNorm  # noqa: F401
from .transformer import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403

__all__ = ["MultiheadAttention", "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d",
           "SyncBatchNorm"] + [
    name for m in (activation, adaptive, channelshuffle, container, conv, distance, dropout,
                   flatten, fold,
                   instancenorm, linear, linear_cross_entropy_options, loss,
                   normalization, padding, pixelshuffle, pooling, rnn, sparse, transformer,
                   upsampling)
    for name in m.__all__]
