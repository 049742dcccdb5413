"""Every torch-style optimizer with hyper-parameters that switch on its options, for table tests."""

# name -> keyword arguments (several rows per optimizer where its options change the rule)
CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 1e-2}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "maximize": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
    ("Adam", {"lr": 1e-2}),
    ("Adam", {"lr": 1e-2, "amsgrad": True, "weight_decay": 0.1, "maximize": True}),
    ("AdamW", {"lr": 1e-2, "weight_decay": 0.1}),
    ("Adamax", {"lr": 1e-2, "weight_decay": 1e-2}),
    ("NAdam", {"lr": 1e-2}),
    ("NAdam", {"lr": 1e-2, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RMSprop", {"lr": 1e-2}),
    ("RMSprop", {"lr": 1e-2, "momentum": 0.5, "centered": True, "weight_decay": 1e-2}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 1e-2, "initial_accumulator_value": 0.1}),
    ("Adadelta", {"lr": 0.5, "weight_decay": 1e-2}),
    ("RAdam", {"lr": 1e-2}),
    ("RAdam", {"lr": 1e-2, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("ASGD", {"lr": 1e-2, "t0": 2, "lambd": 1e-2, "weight_decay": 1e-2}),
    ("ASGD", {"lr": 0.05, "alpha": 0.5, "maximize": True}),
    ("Rprop", {"lr": 1e-2}),
    ("Rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.1), "maximize": True}),
    ("Adafactor", {"lr": 1e-2}),
    ("Adafactor", {"lr": 0.05, "weight_decay": 0.1, "eps": (1e-3, 1e-2), "d": 2.0, "maximize": True}),
]


def case_id(case) -> str:
    name, kwargs = case
    return name + "".join(f"-{k}={v}" for k, v in kwargs.items())
