"""Hyper-parameter checks shared by the optimizers (torch's messages, quoting the bad value)."""
from __future__ import annotations

__all__ = ["check_non_negative", "check_betas"]


def check_non_negative(**values) -> None:
    """Raises ``ValueError: Invalid <what>: <value>`` for a negative (or NaN) hyper-parameter.

    The keyword names the message: ``lr`` → "learning rate", ``eps`` → "epsilon value",
    anything else → "<name> value".
    """
    for name, value in values.items():
        if not _is_number(value):
            raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
        if not 0.0 <= value:
            raise ValueError(f"Invalid {_label(name)}: {value}")


def check_betas(betas) -> tuple[float, float]:
    """Checks ``0 <= beta < 1`` for both betas and returns them as a tuple of floats."""
    try:
        beta1, beta2 = betas
    except (TypeError, ValueError):
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}") from None
    for i, beta in enumerate((beta1, beta2)):
        if not _is_number(beta) or not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
    return (float(beta1), float(beta2))


def _label(name: str) -> str:
    return {"lr": "learning rate", "eps": "epsilon value"}.get(name, f"{name} value")


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, (str, bytes))
