"""The examples repository's polynomial regression, as people write it: features x, x², x³, x⁴
built with unsqueeze/cat/pow, one nn.Linear, F.smooth_l1_loss, and a hand-written SGD update
over fc.parameters() until the loss is small."""
from itertools import count

import numpy as np
import torch
import torch.nn.functional as F

POLY_DEGREE = 4
W_target = torch.tensor([[1.5], [-2.0], [0.8], [0.3]])
b_target = torch.tensor([0.5])


def make_features(x):
    """Builds features i.e. a matrix with columns [x, x^2, x^3, x^4]."""
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)


def f(x):
    """Approximated function."""
    return x.mm(W_target) + b_target.item()


def poly_desc(W, b):
    """Creates a string description of a polynomial."""
    result = "y = "
    for i, w in enumerate(W):
        result += "{:+.2f} x^{} ".format(w, i + 1)
    result += "{:+.2f}".format(b[0])
    return result


_rng = np.random.default_rng(3)


def get_batch(batch_size=32):
    """Builds a batch i.e. (x, f(x)) pair."""
    random = torch.from_numpy(_rng.uniform(-1, 1, batch_size).astype(np.float32))
    x = make_features(random)
    y = f(x)
    return x, y


def main():
    fc = torch.nn.Linear(W_target.size(0), 1)
    with torch.no_grad():
        fc.weight.copy_(torch.zeros(1, 4))
        fc.bias.fill_(0.0)
    losses = []
    for batch_idx in count(1):
        batch_x, batch_y = get_batch()
        fc.zero_grad()
        output = F.smooth_l1_loss(fc(batch_x), batch_y)
        loss = output.item()
        output.backward()
        for param in fc.parameters():
            param.data.add_(-0.1 * param.grad)
        losses.append(loss)
        if loss < 1e-3 or batch_idx >= 300:
            break
    return {"batches": batch_idx, "losses": losses,
            "learned": poly_desc(fc.weight.view(-1), fc.bias),
            "actual": poly_desc(W_target.view(-1), b_target)}
