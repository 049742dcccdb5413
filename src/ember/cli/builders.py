"""Building the network, optimizer, scheduler and loss that ``ember train`` options describe.

Everything goes through ember's public torch-style API (``nn.Sequential``, ``optim.Adam`` …).

Example::

    >>> model = build_model({"hidden": [32], "activation": "relu", "batch_norm": False,
    ...                      "dropout": 0.0, "init": "default"}, n_in=4, n_out=3)
"""
from __future__ import annotations

from .errors import CLIError

_ACTIVATION_CLASSES = {"relu": "ReLU", "leaky_relu": "LeakyReLU", "elu": "ELU", "selu": "SELU",
                       "gelu": "GELU", "silu": "SiLU", "sigmoid": "Sigmoid", "tanh": "Tanh",
                       "softplus": "Softplus"}


def _nn():
    from .. import nn
    return nn


def _layer(name: str):
    layer = getattr(_nn(), name, None)
    if layer is None:
        raise CLIError(f"ember.nn.{name} is not available in this installation")
    return layer


def _initialise(model, cfg: dict) -> None:
    scheme = cfg["init"]
    if scheme == "default":
        return
    nn = _nn()
    relu_like = cfg["activation"] in ("relu", "leaky_relu", "elu", "selu", "gelu", "silu")
    for module in model.modules():
        if not isinstance(module, nn.Linear):
            continue
        weight = module.weight
        if scheme.startswith("kaiming"):
            getattr(nn.init, scheme + "_")(weight, nonlinearity="relu" if relu_like else "linear")
        elif scheme.startswith("xavier"):
            getattr(nn.init, scheme + "_")(weight)
        elif scheme == "normal":
            nn.init.normal_(weight, 0.0, 0.05)
        else:
            nn.init.uniform_(weight, -0.05, 0.05)
        if module.bias is not None:
            nn.init.zeros_(module.bias)


def build_model(cfg: dict, n_in: int, n_out: int):
    """Linear → [BatchNorm1d] → activation → [Dropout], per hidden size, then a Linear output."""
    nn = _nn()
    activation = _layer(_ACTIVATION_CLASSES[cfg["activation"]])
    layers, width = [], n_in
    for size in cfg["hidden"]:
        layers.append(nn.Linear(width, size))
        if cfg["batch_norm"]:
            layers.append(_layer("BatchNorm1d")(size))
        layers.append(activation())
        if cfg["dropout"] > 0:
            layers.append(nn.Dropout(cfg["dropout"]))
        width = size
    layers.append(nn.Linear(width, n_out))
    model = nn.Sequential(*layers)
    _initialise(model, cfg)
    return model


def build_optimizer(cfg: dict, params):
    from .. import optim
    name, lr, wd, mom = cfg["optimizer"], cfg["lr"], cfg["weight_decay"], cfg["momentum"]
    if name in ("sgd", "momentum", "nesterov"):
        return optim.SGD(params, lr=lr, momentum=mom, nesterov=name == "nesterov", weight_decay=wd)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, momentum=mom, weight_decay=wd)
    classes = {"adagrad": "Adagrad", "adadelta": "Adadelta", "adam": "Adam", "adamw": "AdamW",
               "nadam": "NAdam"}
    optimizer = getattr(optim, classes[name], None)
    if optimizer is None:
        raise CLIError(f"ember.optim.{classes[name]} is not available in this installation")
    if name == "adamw" and wd == 0:
        return optimizer(params, lr=lr)  # AdamW keeps its own default decay (0.01)
    return optimizer(params, lr=lr, weight_decay=wd)


def build_scheduler(cfg: dict, optimizer):
    """The learning-rate schedule, or None; ``plateau`` steps on the validation loss."""
    kind = cfg["lr_schedule"]
    if kind == "none":
        return None
    from ..optim import lr_scheduler as sched
    if kind == "step":
        return sched.StepLR(optimizer, step_size=max(1, cfg["epochs"] // 3), gamma=0.1)
    if kind == "exponential":
        return sched.ExponentialLR(optimizer, gamma=0.95)
    if kind == "cosine":
        return sched.CosineAnnealingLR(optimizer, T_max=cfg["epochs"])
    return sched.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=3)


def build_loss(task: str):
    nn = _nn()
    return nn.CrossEntropyLoss() if task == "classification" else nn.MSELoss()
