"""JAX with ``jit`` over the whole training step (only when JAX is installed)."""
from __future__ import annotations

import _harness as h
from specs import BETAS, EPS, LR


def task_step(cell, budget_s=0.5, warmup_s=0.1):
    import jax
    import jax.numpy as jnp
    sizes, x, y = h.step_data(cell)
    key = jax.random.PRNGKey(0)
    params = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        key, k1, k2 = jax.random.split(key, 3)
        bound = 1.0 / a ** 0.5
        params.append((jax.random.uniform(k1, (a, b), jnp.float32, -bound, bound),
                       jax.random.uniform(k2, (b,), jnp.float32, -bound, bound)))
    m = jax.tree_util.tree_map(jnp.zeros_like, params)
    v = jax.tree_util.tree_map(jnp.zeros_like, params)

    def loss_fn(ps, xb, yb):
        out = xb
        for i, (w, b) in enumerate(ps):
            out = out @ w + b
            if i < len(ps) - 1:
                out = jax.nn.relu(out)
        logp = jax.nn.log_softmax(out)
        return -jnp.mean(jnp.take_along_axis(logp, yb[:, None], axis=1))

    b1, b2 = BETAS

    @jax.jit
    def step(ps, m, v, t, xb, yb):
        grads = jax.grad(loss_fn)(ps, xb, yb)
        m = jax.tree_util.tree_map(lambda a, g: b1 * a + (1 - b1) * g, m, grads)
        v = jax.tree_util.tree_map(lambda a, g: b2 * a + (1 - b2) * g * g, v, grads)
        c1, c2 = 1 - b1 ** t, 1 - b2 ** t
        ps = jax.tree_util.tree_map(lambda p, a, s: p - LR * (a / c1) / (jnp.sqrt(s / c2) + EPS),
                                    ps, m, v)
        return ps, m, v

    xb, yb = jnp.asarray(x), jnp.asarray(y)
    state = {"p": params, "m": m, "v": v, "t": 0}

    def run():
        state["t"] += 1
        state["p"], state["m"], state["v"] = step(state["p"], state["m"], state["v"],
                                                  float(state["t"]), xb, yb)
        jax.block_until_ready(state["p"])
    return h.time_steps(run, budget_s, warmup_s=warmup_s)


if __name__ == "__main__":
    h.main({"step": task_step})
