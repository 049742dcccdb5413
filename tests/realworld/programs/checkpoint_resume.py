"""Saving and loading: a checkpoint dict (epoch, model and optimizer state, loss) written with
torch.save mid-training, loaded into fresh objects with load_state_dict, and training resumed;
the resumed run must end where the uninterrupted one does. Also save/load a plain state_dict
for inference."""
import os
import tempfile

import numpy as np
import torch
from torch import nn


def make_model():
    model = nn.Sequential(nn.Linear(5, 12), nn.ReLU(), nn.BatchNorm1d(12), nn.Linear(12, 1))
    rng = np.random.default_rng(5)
    state = model.state_dict()
    for k, v in state.items():
        if v.dtype == torch.float32 and "running" not in k:
            state[k] = torch.tensor(rng.uniform(-0.5, 0.5, tuple(v.shape)).astype(np.float32))
    model.load_state_dict(state)
    return model


def data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 5)).astype(np.float32)
    y = (x @ np.array([1.0, -2.0, 0.5, 0.0, 3.0]) + 0.1 * rng.normal(size=64)).astype(np.float32)
    return torch.from_numpy(x), torch.from_numpy(y).unsqueeze(1)


def train_epochs(model, optimizer, epochs, x, y):
    loss_fn = nn.MSELoss()
    losses = []
    for _ in range(epochs):
        model.train()
        for i in range(0, 64, 16):
            optimizer.zero_grad()
            loss = loss_fn(model(x[i:i + 16]), y[i:i + 16])
            loss.backward()
            optimizer.step()
        losses.append(loss.item())
    return losses


def main():
    x, y = data()
    # uninterrupted: 6 epochs
    model = make_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    straight = train_epochs(model, optimizer, 6, x, y)

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "checkpoint.pt")
        # interrupted after 3 epochs, saved, reloaded into new objects, resumed for 3
        model2 = make_model()
        optimizer2 = torch.optim.SGD(model2.parameters(), lr=0.05, momentum=0.9, nesterov=True)
        first = train_epochs(model2, optimizer2, 3, x, y)
        torch.save({"epoch": 3, "model_state_dict": model2.state_dict(),
                    "optimizer_state_dict": optimizer2.state_dict(), "loss": first[-1]}, path)

        model3 = make_model()
        optimizer3 = torch.optim.SGD(model3.parameters(), lr=0.05, momentum=0.9, nesterov=True)
        checkpoint = torch.load(path, weights_only=True)
        model3.load_state_dict(checkpoint["model_state_dict"])
        optimizer3.load_state_dict(checkpoint["optimizer_state_dict"])
        start_epoch, last_loss = checkpoint["epoch"], checkpoint["loss"]
        resumed = train_epochs(model3, optimizer3, 6 - start_epoch, x, y)

        # inference weights only
        weights = os.path.join(tmp, "model_weights.pth")
        torch.save(model3.state_dict(), weights)
        infer = make_model()
        infer.load_state_dict(torch.load(weights, weights_only=True))
        infer.eval()
        with torch.inference_mode():
            prediction = infer(x[:4])
        keys = list(infer.state_dict().keys())

    return {"straight": straight, "resumed": first + resumed, "start_epoch": start_epoch,
            "last_loss": last_loss, "prediction": prediction.numpy(), "keys": keys,
            "same_end": bool(np.allclose(straight[-1], resumed[-1], rtol=1e-5))}
