"""Keras-style layers built on ember's Tensor and autograd.

Example::

    >>> from ember.keras import layers
    >>> layers.Dense(4, activation="relu", input_shape=(2,))
"""
from .activation_layers import ELU, PReLU, ReLU, LeakyReLU, Softmax
from .adaptive_pooling import (AdaptiveAveragePooling1D, AdaptiveAveragePooling2D,
                               AdaptiveAveragePooling3D, AdaptiveMaxPooling1D, AdaptiveMaxPooling2D,
                               AdaptiveMaxPooling3D)
from .base import InputSpec, Layer
from .convolutional import (Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D,
                            Conv3DTranspose, DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D,
                            SeparableConv2D)
from .core import Activation, Dense, Dropout, Flatten, Reshape
from .image import Rescaling, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D
from .image_augmentation import (RandomBrightness, RandomContrast, RandomFlip, RandomRotation,
                                 RandomTranslation, RandomZoom)
from .image_preprocessing import CenterCrop, RandomCrop, Resizing
from .input_layer import Input, InputLayer
from .keras_tensor import KerasTensor
from .lambda_layer import Lambda
from .merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add,
                      average, concatenate, dot, maximum, minimum, multiply, subtract)
from .normalization import BatchNormalization, LayerNormalization, Normalization
from .attention import MultiHeadAttention
from .group_query_attention import GroupQueryAttention
from .dot_attention import AdditiveAttention, Attention
from .reshaping_nd import (Cropping1D, Cropping2D, Cropping3D, UpSampling1D, UpSampling3D,
                           ZeroPadding1D, ZeroPadding3D)
from .embedding import Embedding, ReversibleEmbedding
from .pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D, GlobalAveragePooling1D,
                      GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalMaxPooling1D,
                      GlobalMaxPooling2D, GlobalMaxPooling3D, MaxPooling1D, MaxPooling2D,
                      MaxPooling3D)
from .reshaping import UpSampling2D, ZeroPadding2D
from .rnn import GRU, LSTM, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell
from .rnn_base import RNN, StackedRNNCells
from .conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
from .einsum_dense import EinsumDense
from .wrappers import Bidirectional, TimeDistributed
from .norm_layers import GroupNormalization, RMSNormalization, UnitNormalization
from .preprocessing import CategoryEncoding, Discretization
from .regularization import ActivityRegularization, AlphaDropout, GaussianDropout, GaussianNoise
from .tensor_layers import Identity, Masking, Permute, RepeatVector

__all__ = ["Layer", "InputSpec", "Input", "InputLayer", "Dense", "Activation", "Dropout", "Flatten",
           "Reshape",
           "BatchNormalization", "LayerNormalization", "Normalization", "ReLU", "LeakyReLU",
           "PReLU", "ELU", "Softmax", "MultiHeadAttention", "Attention", "AdditiveAttention",
           "Embedding", "SimpleRNN", "LSTM", "Cropping1D", "Cropping2D", "Cropping3D",
           "UpSampling1D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding3D",
           "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell", "RNN", "StackedRNNCells", "EinsumDense",
           "Bidirectional", "TimeDistributed",
           "Conv1D", "Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D",
           "Rescaling", "SpatialDropout2D", "AveragePooling1D", "AveragePooling2D",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
           "GlobalMaxPooling2D", "MaxPooling1D", "MaxPooling2D", "UpSampling2D", "ZeroPadding2D",
           "GroupNormalization", "RMSNormalization", "UnitNormalization", "CategoryEncoding",
           "Discretization", "ActivityRegularization", "AlphaDropout", "GaussianDropout",
           "GaussianNoise", "Identity", "Masking", "Permute", "RepeatVector",
           "Lambda", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
           "Concatenate", "Dot", "add", "subtract", "multiply", "average", "maximum", "minimum",
           "concatenate", "dot", "KerasTensor", "Conv3D", "Conv1DTranspose", "Conv3DTranspose",
           "DepthwiseConv1D", "SeparableConv1D", "SpatialDropout1D", "SpatialDropout3D",
           "MaxPooling3D", "AveragePooling3D", "GlobalAveragePooling3D", "GlobalMaxPooling3D",
           "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
           "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D",
           "GroupQueryAttention", "ReversibleEmbedding", "ConvLSTM1D", "ConvLSTM2D",
           "ConvLSTM3D",
           "Resizing", "CenterCrop", "RandomCrop", "RandomFlip", "RandomRotation",
           "RandomTranslation", "RandomZoom", "RandomContrast", "RandomBrightness"]

# Keras's other spellings of the same classes (keras.layers.MaxPool2D is MaxPooling2D)
MaxPool1D, MaxPool2D, AvgPool1D, AvgPool2D = MaxPooling1D, MaxPooling2D, AveragePooling1D, AveragePooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
Convolution1D, Convolution2D, Convolution2DTranspose = Conv1D, Conv2D, Conv2DTranspose
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
MaxPool3D, AvgPool3D = MaxPooling3D, AveragePooling3D
GlobalAvgPool3D, GlobalMaxPool3D = GlobalAveragePooling3D, GlobalMaxPooling3D
Convolution3D, Convolution1DTranspose, Convolution3DTranspose = Conv3D, Conv1DTranspose, Conv3DTranspose
__all__ += ["MaxPool1D", "MaxPool2D", "AvgPool1D", "AvgPool2D", "GlobalAvgPool1D",
            "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D", "Convolution1D",
            "Convolution2D", "Convolution2DTranspose", "SeparableConvolution1D",
            "SeparableConvolution2D", "MaxPool3D", "AvgPool3D", "GlobalAvgPool3D",
            "GlobalMaxPool3D", "Convolution3D", "Convolution1DTranspose",
            "Convolution3DTranspose"]

# the wrappers and the preprocessing pipeline (issue 14's last names)
from .wrappers import Wrapper  # noqa: E402
from .spectral_normalization import SpectralNormalization  # noqa: E402
from .pipeline import Pipeline, deserialize, serialize  # noqa: E402
__all__ += ["Wrapper", "SpectralNormalization", "Pipeline", "deserialize", "serialize"]

# the layer classes by name (saving looks classes up in keras.saving's registry)
ALL = {name: globals()[name] for name in __all__
       if isinstance(globals()[name], type) and name not in ("Layer", "InputSpec", "KerasTensor")}
