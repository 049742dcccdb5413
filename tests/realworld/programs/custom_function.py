"""The tutorial's custom autograd.Function, written in the ctx style (static forward/backward,
ctx.save_for_backward, ctx.saved_tensors): the Legendre polynomial P3 inside a fit of sin(x)."""
import math

import torch


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


def fit_legendre(x, y, steps=200):
    a = torch.full((), 0.0, requires_grad=True)
    b = torch.full((), -1.0, requires_grad=True)
    c = torch.full((), 0.0, requires_grad=True)
    d = torch.full((), 0.3, requires_grad=True)
    P3 = LegendrePolynomial3.apply
    for t in range(steps):
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            for t_ in (a, b, c, d):
                t_ -= 5e-6 * t_.grad
                t_.grad = None
    return [a.item(), b.item(), c.item(), d.item(), loss.item()]


def main():
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    return {"legendre": fit_legendre(x, y)}
