"""``ember.backends.cudnn``: NVIDIA's cuDNN, absent; its flags are kept (and change nothing)."""

enabled = True
benchmark = False
benchmark_limit = 10
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    return False


def version():
    return None


def is_acceptable(tensor) -> bool:
    return False
