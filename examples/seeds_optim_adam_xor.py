"""Seed cell (course notes 004): an MLP trained with ``optim.Adam`` on XOR.

The code below is the seed's, with only the import lines changed (torch -> ember).
Run: python examples/seeds_optim_adam_xor.py
"""
# 📦 Import required libraries
import ember as torch
import ember.nn as nn
import ember.optim as optim
from ember.utils.data import DataLoader, TensorDataset  # noqa: F401 - imported by the seed
import numpy as np

# ✅ Generate synthetic data (XOR problem)
X = np.array([[0,0], [0,1], [1,0], [1,1]], dtype=np.float32)
y = np.array([[0], [1], [1], [0]], dtype=np.float32)

# Convert to PyTorch tensors
X_tensor = torch.tensor(X)
y_tensor = torch.tensor(y)

# Define MLP model
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(2, 4)
        self.layer2 = nn.Linear(4, 1)
        self.activation = nn.Sigmoid()

    def forward(self, x):
        x = torch.relu(self.layer1(x))
        x = self.activation(self.layer2(x))
        return x

# Initialize model, loss function, and optimizer
pt_model = MLP()
criterion = nn.BCELoss()  # Binary Cross Entropy Loss
optimizer = optim.Adam(pt_model.parameters(), lr=0.01)

# Train model
epochs = 1000
for epoch in range(epochs):
    optimizer.zero_grad()
    output = pt_model(X_tensor)
    loss = criterion(output, y_tensor)
    loss.backward()
    optimizer.step()

# Evaluate model
print(f"Final loss: {loss.item():.4f}")
