"""``ember.nn.functional`` (import it as ``F``): the stateless twin of every layer, activation
and loss in ``ember.nn``, with torch's names and defaults.

Example::

    >>> import ember.nn.functional as F
    >>> F.one_hot(ember.tensor(1), num_classes=3)
    tensor([0, 1, 0])
"""
from .activation import *  # noqa: F401,F403 - every activation (see activation.__all__)
from .activation import __all__ as _activation_all
from .attention import multi_head_attention_forward, scaled_dot_product_attention
from .ctc import ctc_loss
from .embedding import embedding, embedding_bag
from .conv import (conv1d, conv2d, conv3d, conv_tbc, conv_transpose1d, conv_transpose2d,
                   conv_transpose3d, fold, unfold)
from .layers import (batch_norm, dropout, dropout1d, dropout2d, dropout3d, group_norm, layer_norm,
                     linear, normalize, one_hot)
from .loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                   hinge_embedding_loss, huber_loss, kl_div, l1_loss, mse_loss, multi_margin_loss,
                   nll_loss, smooth_l1_loss, soft_margin_loss)
from .pooling import *  # noqa: F401,F403 - max/avg pooling 1-3D, adaptive forms, *_with_indices
from .pooling import __all__ as _pooling_all
from .fractional import *  # noqa: F401,F403 - fractional_max_pool2d/3d and their _with_indices
from .fractional import __all__ as _fractional_all
from .vision import interpolate, pad, upsample, upsample_bilinear, upsample_nearest
from .sampling import affine_grid, grid_sample
from .spatial_extra import *  # noqa: F401,F403 - instance/local-response norm, pixel shuffle, lp/unpool
from .spatial_extra import __all__ as _spatial_extra_all
from .distance import *  # noqa: F401,F403 - pairwise_distance, cosine_similarity, pdist
from .distance import __all__ as _distance_all
from .layers_extra import *  # noqa: F401,F403 - bilinear, rms_norm, alpha_dropout, ...
from .layers_extra import __all__ as _layers_extra_all
from .loss_more import *  # noqa: F401,F403 - margin, embedding and likelihood losses
from .loss_more import __all__ as _loss_more_all

__all__ = list(_activation_all) + [
    "multi_head_attention_forward", "scaled_dot_product_attention", "ctc_loss", "embedding",
    "embedding_bag",
    "batch_norm",
    "dropout", "layer_norm", "linear", "normalize", "one_hot", "pad", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "cross_entropy", "hinge_embedding_loss", "huber_loss",
    "kl_div", "l1_loss", "mse_loss", "multi_margin_loss", "nll_loss", "smooth_l1_loss",
    "soft_margin_loss", "dropout2d", "dropout3d", "group_norm", "conv1d", "conv2d", "conv3d",
    "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "conv_tbc", "fold", "unfold",
    "interpolate",
    "upsample", "grid_sample", "affine_grid"] + [n for n in _pooling_all + _fractional_all if "with_indices" not in n] + list(_spatial_extra_all) + list(_distance_all) + list(_layers_extra_all) + list(_loss_more_all)
