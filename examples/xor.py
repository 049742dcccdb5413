"""The seeds' XOR network in ember: a 2-4-1 MLP that learns what a perceptron cannot.

Run: python examples/xor.py
"""
import ember
import ember.nn as nn
import ember.optim as optim

ember.manual_seed(0)
X = ember.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = ember.tensor([[0.0], [1.0], [1.0], [0.0]])

model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
loss_fn = nn.BCELoss()
optimizer = optim.Adam(model.parameters(), lr=0.05)

for epoch in range(1, 501):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    if epoch % 50 == 0:
        print(f"epoch {epoch:4d}  loss {loss.item():.4f}")

with ember.no_grad():
    probs = model(X)
for inputs, p in zip(X.tolist(), probs.reshape(-1).tolist()):
    print(f"{inputs} -> {p:.3f} (predicted {int(p > 0.5)})")
