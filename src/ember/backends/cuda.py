"""``ember.backends.cuda``: CUDA's switches, kept for code that sets them (no CUDA here)."""
import types

matmul = types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                               allow_bf16_reduced_precision_reduction=True)


def is_built() -> bool:
    return False


def flash_sdp_enabled() -> bool:
    return False


def mem_efficient_sdp_enabled() -> bool:
    return False


def math_sdp_enabled() -> bool:
    return True


def enable_flash_sdp(enabled: bool) -> None:
    """Accepted; there is no flash attention kernel here."""


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Accepted; there is no memory-efficient attention kernel here."""


def enable_math_sdp(enabled: bool) -> None:
    """Accepted; the maths path is the only one."""
