"""Keras-style layers built on ember's Tensor and autograd.

Example::

    >>> from ember.keras import layers
    >>> layers.Dense(4, activation="relu", input_shape=(2,))
"""
from .activation_layers import ELU, PReLU, ReLU, LeakyReLU, Softmax
from .base import InputSpec, Layer
from .core import Activation, Dense, Dropout, Flatten, Reshape
from .input_layer import Input, InputLayer
from .keras_tensor import KerasTensor
from .normalization import BatchNormalization, LayerNormalization, Normalization
from .attention import MultiHeadAttention
from .embedding import Embedding
from .rnn import GRU, LSTM, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell
from .wrappers import Bidirectional, TimeDistributed

__all__ = ["Layer", "InputSpec", "Input", "InputLayer", "Dense", "Activation", "Dropout", "Flatten", "Reshape",
           "BatchNormalization", "LayerNormalization", "Normalization", "ReLU", "LeakyReLU",
           "PReLU", "ELU", "Softmax", "MultiHeadAttention", "Embedding", "SimpleRNN", "LSTM",
           "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell", "Bidirectional", "TimeDistributed"]

ALL = {name: globals()[name] for name in __all__ if name not in ("Layer", "Input", "InputSpec")}
