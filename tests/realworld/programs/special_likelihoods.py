"""Statistical models written with torch.special, as such code is found in the wild: a probit
classifier (ndtr / log_ndtr), a von Mises fit of a concentration through the exponentially scaled
Bessel function (log I0(k) = log i0e(k) + k), a negative-binomial count model (gammaln, xlogy,
xlog1py), an entropy bonus on a softmax policy (entr), and a regression on Chebyshev features of
a Bessel target (chebyshev_polynomial_t, bessel_j0: no gradients, features only). The data are
deterministic formulas, so both libraries see the same numbers."""
import math

import torch


def probit(steps=150):
    x = torch.linspace(-3, 3, 64)
    y = (torch.sin(3 * x) + x > 0.2).float()
    w = torch.zeros(2, requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.05)
    for _ in range(steps):
        z = w[0] * x + w[1]
        loss = -(y * torch.special.log_ndtr(z) + (1 - y) * torch.special.log_ndtr(-z)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        p = torch.special.ndtr(w[0] * x + w[1])
        accuracy = ((p > 0.5).float() == y).float().mean()
    return [loss.item(), accuracy.item()] + w.tolist() + [torch.special.ndtri(p[10:13]).tolist()]


def von_mises(steps=200):
    theta = 0.4 + 0.6 * torch.sin(torch.arange(200, dtype=torch.float32) * 1.7)
    raw = torch.tensor(0.0, requires_grad=True)
    mu = torch.tensor(0.0, requires_grad=True)
    opt = torch.optim.Adam([raw, mu], lr=0.05)
    for _ in range(steps):
        k = torch.nn.functional.softplus(raw) + 1e-3
        log_norm = math.log(2 * math.pi) + torch.log(torch.special.i0e(k)) + k
        nll = (log_norm - k * torch.cos(theta - mu)).mean()
        opt.zero_grad()
        nll.backward()
        opt.step()
    k = torch.nn.functional.softplus(raw) + 1e-3
    mean_resultant = torch.special.i1e(k) / torch.special.i0e(k)
    return [nll.item(), k.item(), mu.item(), mean_resultant.item()]


def negative_binomial(steps=200):
    counts = torch.floor(4 + 3 * torch.sin(torch.arange(50, dtype=torch.float32)) ** 2 * 5)
    log_r = torch.tensor(0.0, requires_grad=True)
    logit_p = torch.tensor(0.0, requires_grad=True)
    opt = torch.optim.Adam([log_r, logit_p], lr=0.05)
    for _ in range(steps):
        r = log_r.exp()
        p = torch.sigmoid(logit_p)
        ll = (torch.special.gammaln(counts + r) - torch.special.gammaln(r)
              - torch.special.gammaln(counts + 1) + torch.special.xlogy(counts, p)
              + torch.special.xlog1py(r, -p))
        loss = -ll.mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return [loss.item(), log_r.exp().item(), torch.special.expit(logit_p).item()]


def entropy_bonus(steps=100):
    logits = torch.zeros(3, 5, requires_grad=True)
    reward = torch.tensor([[1.0, 0.5, 0.2, 0.0, -0.3], [0.0, 0.1, 0.9, 0.2, 0.0],
                           [0.3, 0.3, 0.3, 0.3, 0.35]])
    opt = torch.optim.SGD([logits], lr=0.5)
    for _ in range(steps):
        probs = torch.special.softmax(logits, dim=-1)
        entropy = torch.special.entr(probs).sum(-1)
        loss = -(probs * reward).sum(-1).mean() - 0.05 * entropy.mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return [loss.item(), entropy.tolist(), torch.special.log_softmax(logits, -1)[0].tolist()]


def chebyshev_regression():
    x = torch.linspace(-1, 1, 41, dtype=torch.float64)
    target = torch.special.bessel_j0(4 * x) + 0.1 * torch.special.airy_ai(3 * x)
    features = torch.stack([torch.special.chebyshev_polynomial_t(x, n) for n in range(8)], dim=1)
    coef = torch.linalg.lstsq(features, target.unsqueeze(1)).solution.squeeze(1)
    fit = features @ coef
    legendre = torch.special.legendre_polynomial_p(x, torch.tensor(3.0, dtype=torch.float64))
    return [coef.tolist(), (fit - target).abs().max().item(), legendre[::10].tolist(),
            torch.special.hermite_polynomial_he(x[::20], 4).tolist(), str(target.dtype),
            target.requires_grad]


def main():
    return {"probit": probit(), "von_mises": von_mises(), "negative_binomial": negative_binomial(),
            "entropy_bonus": entropy_bonus(), "chebyshev_regression": chebyshev_regression()}
