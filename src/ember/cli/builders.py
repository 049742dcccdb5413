"""Building the network, optimizer, scheduler and loss that ``ember train`` options describe.

Everything goes through ember's public torch-style API (``nn.Sequential``, ``optim.Adam`` …).
The network is first described as a plan (:func:`layer_plan`: an MLP, or with ``--model cnn``
a small convolutional network in front of it), which both :func:`build_model` and the checks
that run before anything is allocated read: :func:`check_fits` (will training fit in memory?)
and :func:`weight_shapes` (do the saved weights have the shapes the options ask for?).

Example::

    >>> cfg = {"hidden": [32], "activation": "relu", "batch_norm": False, "dropout": 0.0,
    ...        "init": "default"}
    >>> model = build_model(cfg, n_in=4, n_out=3)
    >>> weight_shapes(cfg, 4, 3)
    {'0.weight': (32, 4), '0.bias': (32,), '2.weight': (3, 32), '2.bias': (3,)}
"""
from __future__ import annotations

import math

from .. import nn, optim
from ..models import LastStep, SequenceOutputs
from ..io import memory_budget
from ..optim import lr_scheduler
from .errors import CLIError

ACTIVATION_CLASSES = {"relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "selu": nn.SELU,
                      "gelu": nn.GELU, "silu": nn.SiLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
                      "softplus": nn.Softplus}
_RELU_LIKE = ("relu", "leaky_relu", "elu", "selu", "gelu", "silu")


def layer_plan(cfg: dict, n_in: int, n_out: int) -> list:
    """``[(layer class, args, outputs per sample), …]``; index ``i`` of the plan is index ``i``
    of the Sequential. ``--model mlp``: Linear → [BatchNorm1d] → activation → [Dropout] per
    hidden size, then a Linear output. ``--model cnn`` puts :func:`conv_plan` in front."""
    if cfg.get("model", "mlp") == "lstm":
        return lstm_plan(cfg, n_in, n_out)
    plan, width = [], n_in
    if cfg.get("model", "mlp") == "cnn":
        plan = conv_plan(cfg, n_in)
        width = plan[-1][2]
    activation = ACTIVATION_CLASSES[cfg["activation"]]
    for size in cfg["hidden"]:
        plan.append((nn.Linear, (width, size), size))
        if cfg["batch_norm"]:
            plan.append((nn.BatchNorm1d, (size,), size))
        plan.append((activation, (), size))
        if cfg["dropout"] > 0:
            plan.append((nn.Dropout, (cfg["dropout"],), size))
        width = size
    plan.append((nn.Linear, (width, n_out), n_out))
    return plan


CNN_CHANNELS = (32, 64)
CNN_DROPOUT = 0.25


def conv_plan(cfg: dict, n_in: int) -> list:
    """The convolutional front of ``--model cnn`` for square grey images of ``n_in`` pixels
    (PyTorch's MNIST example in small): two 3×3 convolutions (padding 1) with ``CNN_CHANNELS``
    channels, each → [BatchNorm2d] → activation, then a 2×2 max-pool, Dropout(0.25), Flatten."""
    side = math.isqrt(n_in)
    if side * side != n_in or side < 2:
        raise CLIError(f"--model cnn needs square grey images: {n_in} features are not a side x "
                       f"side picture (digits has 64 = 8x8)")
    activation = ACTIVATION_CLASSES[cfg["activation"]]
    plan = [(nn.Unflatten, (1, (1, side, side)), n_in)]
    channels = 1
    for width in CNN_CHANNELS:
        plan.append((nn.Conv2d, (channels, width, 3, 1, 1), width * side * side))
        if cfg["batch_norm"]:
            plan.append((nn.BatchNorm2d, (width,), width * side * side))
        plan.append((activation, (), width * side * side))
        channels = width
    side //= 2
    plan += [(nn.MaxPool2d, (2,), channels * side * side),
             (nn.Dropout, (CNN_DROPOUT,), channels * side * side),
             (nn.Flatten, (), channels * side * side)]
    return plan


def lstm_plan(cfg: dict, n_in: int, n_out: int) -> list:
    """``--model lstm`` over windows of ``n_in`` values: Unflatten to ``(N, n_in, 1)``, one
    LSTM per hidden size (its output sequence; Dropout after it when ``--dropout``), the last
    step, a Linear head (``ember.models.SequenceOutputs``/``LastStep``)."""
    plan, width = [(nn.Unflatten, (1, (n_in, 1)), n_in)], 1
    for size in cfg["hidden"]:
        plan.append((SequenceOutputs.lstm, (width, size), 6 * n_in * size))  # gates, cells, states
        if cfg["dropout"] > 0:
            plan.append((nn.Dropout, (cfg["dropout"],), n_in * size))
        width = size
    return plan + [(LastStep, (), width), (nn.Linear, (width, n_out), n_out)]


def _parameters(layer, args) -> dict:
    """``{name: shape}`` of the parameters a planned layer will have."""
    if layer == SequenceOutputs.lstm:
        gates, (width, size) = 4 * args[1], args
        return {"rnn.weight_ih_l0": (gates, width), "rnn.weight_hh_l0": (gates, size),
                "rnn.bias_ih_l0": (gates,), "rnn.bias_hh_l0": (gates,)}
    if layer is nn.Linear:
        return {"weight": (args[1], args[0]), "bias": (args[1],)}
    if layer is nn.Conv2d:
        return {"weight": (args[1], args[0], args[2], args[2]), "bias": (args[1],)}
    if layer in (nn.BatchNorm1d, nn.BatchNorm2d):
        return {"weight": args, "bias": args}
    return {}


def weight_shapes(cfg: dict, n_in: int, n_out: int) -> dict:
    """``{state-dict key: shape}`` of every weight and bias the options ask for."""
    return {f"{index}.{name}": shape
            for index, (layer, args, _) in enumerate(layer_plan(cfg, n_in, n_out))
            for name, shape in _parameters(layer, args).items()}


def check_fits(cfg: dict, n_in: int, n_out: int, batch: int) -> None:
    """Refuses, before anything is allocated, a network whose training would not fit in memory:
    weights, gradients, optimizer state and a best-weights copy (5 float32 copies), plus the
    activations of one batch (forward and backward)."""
    plan = layer_plan(cfg, n_in, n_out)
    params = sum(math.prod(shape) for shape in weight_shapes(cfg, n_in, n_out).values())
    widths = sum(outputs for _, _, outputs in plan)
    need = 4 * (5 * params + 4 * batch * widths)
    budget = memory_budget()
    if need > budget:
        raise CLIError(f"--hidden {','.join(map(str, cfg['hidden'])) or 'none'} on {n_in} inputs "
                       f"means {params:,} parameters, about {need / 2**30:.1f} GiB to train, more "
                       f"than the {budget / 2**30:.1f} GiB this machine allows; use smaller layers "
                       f"or a smaller --batch-size")


def _initialise(model, cfg: dict) -> None:
    scheme = cfg["init"]
    if scheme == "default":
        return
    relu_like = cfg["activation"] in _RELU_LIKE
    for module in model.modules():
        if not isinstance(module, (nn.Linear, nn.Conv2d)):
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
    """The ``nn.Sequential`` of :func:`layer_plan`, initialised as ``cfg["init"]`` says."""
    model = nn.Sequential(*(layer(*args) for layer, args, _ in layer_plan(cfg, n_in, n_out)))
    _initialise(model, cfg)
    return model


def build_optimizer(cfg: dict, params, lr: float):
    """The optimizer ``cfg["optimizer"]`` names, at learning rate ``lr``."""
    name, wd, mom = cfg["optimizer"], cfg["weight_decay"], cfg["momentum"]
    if name in ("sgd", "momentum", "nesterov"):
        return optim.SGD(params, lr=lr, momentum=mom, nesterov=name == "nesterov", weight_decay=wd)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, momentum=mom, weight_decay=wd)
    optimizer = {"adagrad": optim.Adagrad, "adadelta": optim.Adadelta, "adam": optim.Adam,
                 "adamw": optim.AdamW, "nadam": optim.NAdam}[name]
    if name == "adamw" and wd == 0:
        return optimizer(params, lr=lr)  # AdamW keeps its own default decay (0.01)
    return optimizer(params, lr=lr, weight_decay=wd)


def build_scheduler(cfg: dict, optimizer):
    """The learning-rate schedule, or None; ``plateau`` steps on the validation loss."""
    kind = cfg["lr_schedule"]
    if kind == "none":
        return None
    if kind == "step":
        return lr_scheduler.StepLR(optimizer, step_size=max(1, cfg["epochs"] // 3), gamma=0.1)
    if kind == "exponential":
        return lr_scheduler.ExponentialLR(optimizer, gamma=0.95)
    if kind == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=cfg["epochs"])
    return lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=3)


def build_loss(task: str):
    return nn.CrossEntropyLoss() if task == "classification" else nn.MSELoss()
