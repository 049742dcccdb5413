"""The layer, activation, loss and container Modules of ``ember.nn``."""
from .activation import (ELU, GELU, SELU, Hardtanh, LeakyReLU, LogSigmoid, LogSoftmax, PReLU,
                         ReLU, ReLU6, Sigmoid, SiLU, Softmax, Softmin, Softplus, Softsign, Tanh,
                         Threshold)
from .container import ModuleDict, ModuleList, Sequential
from .dropout import Dropout
from .flatten import Flatten, Unflatten
from .linear import Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HingeEmbeddingLoss, HuberLoss,
                   KLDivLoss, L1Loss, MSELoss, MultiMarginLoss, NLLLoss, SmoothL1Loss,
                   SoftMarginLoss)
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm

__all__ = ["ELU", "GELU", "SELU", "Hardtanh", "LeakyReLU", "LogSigmoid", "LogSoftmax", "PReLU",
           "ReLU", "ReLU6", "Sigmoid", "SiLU", "Softmax", "Softmin", "Softplus", "Softsign", "Tanh",
           "Threshold", "ModuleDict", "ModuleList", "Sequential", "Dropout", "Flatten", "Unflatten",
           "Identity", "Linear", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
           "HingeEmbeddingLoss", "HuberLoss", "KLDivLoss", "L1Loss", "MSELoss", "MultiMarginLoss",
           "NLLLoss", "SmoothL1Loss", "SoftMarginLoss", "BatchNorm1d", "BatchNorm2d", "LayerNorm"]
