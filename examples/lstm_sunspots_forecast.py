"""Forecasting the yearly sunspot number with an LSTM, written as PyTorch code (only the
imports name ember).

The series (1700-2008, bundled with ember) is scaled, cut into 12-year windows whose target is
the next year, and split in time order: the model learns on the years up to 1950 and is judged
on the years after, against the naive forecast "next year = this year".

Run: python examples/lstm_sunspots_forecast.py [--epochs 60] [--plot forecast.png]
"""
import argparse

import numpy as np

import ember as torch
import ember.nn as nn
from ember.datasets import load_sunspots, make_windows
from ember.utils.data import DataLoader, TensorDataset

WINDOW = 12


class Forecaster(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(input_size=1, hidden_size=hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, (h, c) = self.lstm(x)      # out: (batch, window, hidden)
        return self.head(out[:, -1]).squeeze(-1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--plot", default=None, help="write the test forecast to this PNG")
    args = parser.parse_args()
    torch.manual_seed(0)

    sun = load_sunspots()
    years, series = sun.X[:, 0], sun.y
    split = int(np.searchsorted(years, 1950))
    mean, std = series[:split].mean(), series[:split].std()
    X, y = make_windows((series - mean) / std, WINDOW)
    target_years = years[WINDOW:]
    train = target_years <= 1950
    X_train, y_train = torch.tensor(X[train]), torch.tensor(y[train])
    X_test, y_test = torch.tensor(X[~train]), torch.tensor(y[~train])

    model = Forecaster()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=25, gamma=0.3)
    loss_fn = nn.MSELoss()
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)
    for epoch in range(args.epochs):
        model.train()
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total += loss.item() * len(xb)
        scheduler.step()
        if epoch % 20 == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch:3d}  train mse {total / len(X_train):.4f}")

    model.eval()
    with torch.no_grad():
        forecast = model(X_test).numpy() * std + mean
    truth = y_test.numpy() * std + mean
    persistence = X_test.numpy()[:, -1, 0] * std + mean
    rmse = float(np.sqrt(np.mean((forecast - truth) ** 2)))
    naive = float(np.sqrt(np.mean((persistence - truth) ** 2)))
    print(f"test years {int(target_years[~train][0])}-{int(target_years[-1])}: "
          f"LSTM RMSE {rmse:.1f}, persistence RMSE {naive:.1f}")
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(8, 3))
        ax.plot(target_years[~train], truth, label="observed")
        ax.plot(target_years[~train], forecast, label="LSTM, one year ahead")
        ax.set_xlabel("year"), ax.set_ylabel("sunspot number"), ax.legend()
        fig.savefig(args.plot, dpi=100, bbox_inches="tight")
        print(f"wrote {args.plot}")


if __name__ == "__main__":
    main()
