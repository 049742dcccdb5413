"""The "learning PyTorch with examples" progression, fitting sin(x) with a cubic: raw tensors with
requires_grad and a manual update under no_grad; the same with nn.Sequential + Flatten(0, 1) and
MSELoss(reduction='sum'); then torch.optim.RMSprop; and then a custom Module holding Parameters (the
custom autograd.Function step is programs/custom_function.py)."""
import math

import torch


def fit_raw(x, y, steps=500):
    dtype = torch.float
    a = torch.full((), 0.1, dtype=dtype, requires_grad=True)
    b = torch.full((), -0.2, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.05, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, dtype=dtype, requires_grad=True)
    learning_rate = 1e-6
    for t in range(steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return [a.item(), b.item(), c.item(), d.item(), loss.item()]


def fit_nn(x, y, optim_name, steps=300):
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[0.2, -0.1, 0.05]]))
        model[0].bias.zero_()
    loss_fn = torch.nn.MSELoss(reduction="sum")
    if optim_name == "manual":
        learning_rate = 1e-6
        for t in range(steps):
            loss = loss_fn(model(xx), y)
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for param in model.parameters():
                    param -= learning_rate * param.grad
    else:
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
        for t in range(steps):
            loss = loss_fn(model(xx), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    linear_layer = model[0]
    return [linear_layer.bias.item()] + linear_layer.weight[:, 0:3].flatten().tolist() + [loss.item()]


class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.tensor(0.1))
        self.b = torch.nn.Parameter(torch.tensor(-0.2))
        self.c = torch.nn.Parameter(torch.tensor(0.05))
        self.d = torch.nn.Parameter(torch.tensor(0.3))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    def string(self):
        return f"y = {self.a.item():.3f} + {self.b.item():.3f} x + {self.c.item():.3f} x^2"


def fit_module(x, y, steps=300):
    model = Polynomial3()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    for t in range(steps):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [p.item() for p in model.parameters()] + [loss.item()]


def main():
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    return {"raw": fit_raw(x, y), "nn_manual": fit_nn(x, y, "manual"),
            "nn_rmsprop": fit_nn(x, y, "rmsprop"), "module": fit_module(x, y)}

