"""Why XOR needs a hidden layer: Rosenblatt's perceptron fails on it, a small MLP learns it.

The perceptron learns AND and OR (a line separates the 1s from the 0s), but no line separates
XOR's (0,1),(1,0) from (0,0),(1,1): its weights cycle forever and it says so. The seeds' 2-4-1
network with a ReLU hidden layer, trained by backpropagation, solves it, and the training monitor
checks the run was healthy.

Run: python examples/perceptron_xor.py
"""
import warnings

import ember
import ember.nn as nn
import ember.optim as optim
from ember.diagnostics import TrainingMonitor
from ember.models import Perceptron, PerceptronConvergenceWarning

X = [[0, 0], [0, 1], [1, 0], [1, 1]]
gates = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}

print("1. The perceptron rule  w <- w + lr (y - y_hat) x")
for name, labels in gates.items():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PerceptronConvergenceWarning)
        p = Perceptron(activation="step").fit(X, labels, lr=1.0, epochs=100)
    print(f"   {name:3s}: mistakes per epoch {p.mistakes}, accuracy {p.score(X, labels):.2f}")
    print(f"        {p.reason}")


class MLP(nn.Module):
    """The seeds' network: 2 inputs, 4 ReLU units, 1 sigmoid output."""

    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(2, 4)
        self.relu = nn.ReLU()
        self.layer2 = nn.Linear(4, 1)
        self.activation = nn.Sigmoid()

    def forward(self, x):
        return self.activation(self.layer2(self.relu(self.layer1(x))))


print("\n2. One hidden layer, trained by backpropagation")
ember.manual_seed(1)
X_tensor = ember.tensor(X, dtype=ember.float32)
y_tensor = ember.tensor(gates["XOR"], dtype=ember.float32).reshape(-1, 1)
model = MLP()
criterion = nn.BCELoss()
optimizer = optim.Adam(model.parameters(), lr=0.05)
monitor = TrainingMonitor(model)
for epoch in range(1, 301):
    optimizer.zero_grad()
    loss = criterion(model(X_tensor), y_tensor)
    loss.backward()
    optimizer.step()
    monitor.step(loss=loss)
    if epoch % 100 == 0:
        monitor.epoch_end()
        print(f"   epoch {epoch:3d}  loss {loss.item():.4f}")

with ember.no_grad():
    probs = model(X_tensor).reshape(-1)
for inputs, prob in zip(X, probs.tolist()):
    print(f"   {inputs} -> {prob:.3f} (predicted {int(prob > 0.5)})")
accuracy = ((probs > 0.5).to(ember.int64) == ember.tensor(gates["XOR"])).float().mean().item()
print(f"   accuracy {accuracy:.2f}")
print(f"   training health: {monitor.report()}")
