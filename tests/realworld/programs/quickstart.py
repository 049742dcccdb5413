"""Quickstart-style classification: pick a device, wrap arrays in datasets and loaders, define an
nn.Module with Flatten and a Sequential stack, and run the usual train()/test() functions."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

device = (
    "cuda" if torch.cuda.is_available()
    else "mps" if torch.backends.mps.is_available()
    else "cpu"
)


def make_images(n, seed):
    """Three classes of 8x8 images: a bright patch in one of three places, plus noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = rng.normal(0, 1.0, (n, 1, 8, 8)).astype(np.float32)
    for i, c in enumerate(y):
        x[i, 0, 2 * c:2 * c + 3, 2:5] += 0.6
    return x, y


def load_pretrained(model, seed):
    """Stands in for downloading weights: every state_dict entry from a seeded generator."""
    rng = np.random.default_rng(seed)
    state = {k: torch.tensor(rng.uniform(-0.3, 0.3, tuple(v.shape)).astype(np.float32))
             for k, v in model.state_dict().items()}
    model.load_state_dict(state)


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(8 * 8, 32),
            nn.ReLU(),
            nn.Linear(32, 32),
            nn.ReLU(),
            nn.Linear(32, 3),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


def train(dataloader, model, loss_fn, optimizer, log):
    size = len(dataloader.dataset)
    model.train()
    losses = []
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        if batch % 2 == 0:
            loss, current = loss.item(), (batch + 1) * len(X)
            log.append(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")
    return losses


def test(dataloader, model, loss_fn):
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    return 100 * correct, test_loss


def main(epochs=3):
    xs, ys = make_images(192, seed=1)
    xt, yt = make_images(96, seed=2)
    train_dataloader = DataLoader(TensorDataset(torch.from_numpy(xs), torch.from_numpy(ys)),
                                  batch_size=32)
    test_dataloader = DataLoader(TensorDataset(torch.from_numpy(xt), torch.from_numpy(yt)),
                                 batch_size=32)
    for X, y in test_dataloader:
        first_batch = (list(X.shape), str(y.dtype))
        break

    model = NeuralNetwork().to(device)
    load_pretrained(model, seed=3)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-1)

    log, history = [f"Using {device} device", str(model)], []
    for t in range(epochs):
        log.append(f"Epoch {t + 1}\n-------------------------------")
        losses = train(train_dataloader, model, loss_fn, optimizer, log)
        accuracy, test_loss = test(test_dataloader, model, loss_fn)
        log.append(f"Test Error: \n Accuracy: {accuracy:>0.1f}%, Avg loss: {test_loss:>8f} \n")
        history.append({"train": losses, "accuracy": accuracy, "test_loss": test_loss})

    return {"history": history, "first_batch": first_batch, "device": device,
            "model": str(model), "log_lines": len(log)}
