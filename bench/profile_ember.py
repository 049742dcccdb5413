"""Profiles ember's training step on one cell: where the time goes, which ops run, which dtypes.

Not part of `make bench`; run it by hand when working on speed::

    PYTHONPATH=src python bench/profile_ember.py xor --steps 2000
    PYTHONPATH=src python bench/profile_ember.py wide --steps 20 --top 25

Prints (1) the ops recorded per step with their output dtypes (a float64 in a float32
model is a leak), (2) the array copies made per step (large allocations by op), and
(3) the cProfile table sorted by own time.
"""
from __future__ import annotations

import argparse
import collections
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402
from specs import STEP_CELLS  # noqa: E402


def op_census(step) -> collections.Counter:
    """Runs one step with ``Function.apply`` wrapped; counts (op, output dtype)."""
    from ember.autograd import function as fn
    seen = collections.Counter()
    original = fn.Function.apply.__func__

    def counting(cls, *inputs, **params):
        out = original(cls, *inputs, **params)
        seen[(cls.__name__, str(out._data.dtype))] += 1
        return out
    fn.Function.apply = classmethod(counting)
    try:
        step()
    finally:
        fn.Function.apply = classmethod(original)
    return seen


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cell", choices=list(STEP_CELLS))
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--top", type=int, default=20)
    args = ap.parse_args(argv)

    import ember
    from worker_ember import _stepper
    ember.manual_seed(0)
    sizes, x, y = h.step_data(args.cell)
    step, model = _stepper(ember, sizes, x, y)
    for _ in range(5):
        step()
    print(f"== {args.cell}: ops per training step (forward + backward graph nodes), output dtype")
    for (name, dtype), n in sorted(op_census(step).items()):
        print(f"  {name:<28} {dtype:<8} x{n}")
    bad = {str(p.grad._data.dtype) for p in model.parameters() if p.grad is not None} - {"float32"}
    print(f"  parameter grads not float32: {sorted(bad) or 'none'}")

    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    plain = (time.perf_counter() - t0) / args.steps
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(args.steps):
        step()
    prof.disable()
    print(f"== {args.cell}: {plain * 1e6:.1f} us/step unprofiled; cProfile over {args.steps} steps "
          f"(per-step times below = cumulative / steps)")
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("tottime")
    stats.print_stats(args.top)
    print(buf.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
