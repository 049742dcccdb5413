"""The global random generator (``ember.manual_seed``) and ``ember.Generator``.

Every random function in ember draws from one NumPy ``PCG64`` generator unless it is
given its own ``generator``; its state is plain JSON so checkpoints can hold it.
"""
from __future__ import annotations

import numpy as np

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "default_generator"]

_DEFAULT_SEED = 67280421310721  # torch's default seed at start-up


class Generator:
    """A seeded source of random numbers.

    Example::

        >>> g = ember.Generator().manual_seed(0)
        >>> a = ember.randn(2, generator=g)
        >>> ember.equal(a, ember.randn(2, generator=ember.Generator().manual_seed(0)))
        True
    """

    def __init__(self, device: str = "cpu") -> None:
        self._seed = _DEFAULT_SEED
        self.np = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> "Generator":
        seed = int(seed)
        if seed < 0:
            seed += 1 << 64
        self._seed = seed
        self.np = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self) -> int:
        """Re-seeds from the operating system's entropy and returns the new seed."""
        new = int(np.random.SeedSequence().entropy % (1 << 63))
        self.manual_seed(new)
        return new

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict:
        """The generator's state as a JSON-serialisable dict."""
        return {"seed": self._seed, "bit_generator": self.np.bit_generator.state}

    def set_state(self, state: dict) -> None:
        """Restores a state from :meth:`get_state`; anything else (a state read from a damaged
        or edited file) raises ``ValueError`` and leaves the generator unchanged."""
        if not isinstance(state, dict) or "bit_generator" not in state:
            raise ValueError(f"expected a state from Generator.get_state(), got {type(state).__name__}")
        seed = state.get("seed", self._seed)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"expected a state from Generator.get_state(): its seed is {seed!r}")
        bit = np.random.PCG64()
        try:
            bit.state = state["bit_generator"]
        except (TypeError, ValueError, KeyError, OverflowError) as exc:
            raise ValueError(f"expected a state from Generator.get_state(): its bit_generator "
                             f"state is not a PCG64 state ({exc})") from None
        self._seed = seed
        self.np = np.random.Generator(bit)


default_generator = Generator()


def _gen(generator=None) -> np.random.Generator:
    """The NumPy generator to draw from: the given ``Generator`` or the global one."""
    return (generator or default_generator).np


def manual_seed(seed: int) -> Generator:
    """Seeds the global generator; the same seed gives the same numbers everywhere in ember."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seeds the global generator from the operating system and returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the global generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state() -> dict:
    """The global generator's state as a JSON-serialisable dict."""
    return default_generator.get_state()


def set_rng_state(new_state: dict) -> None:
    """Restores a state from :func:`get_rng_state`."""
    default_generator.set_state(new_state)
