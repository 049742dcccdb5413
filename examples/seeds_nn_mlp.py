"""Seed cells (course notes 004): the ``MLP(nn.Module)`` classes with Dropout and BatchNorm1d,
and the training loop with gradient clipping (``nn.utils.clip_grad_norm_``).

The code below is the seed's, with only the import lines changed (torch -> ember); the two
forward passes at the end of the Dropout/BatchNorm cells show the train/eval difference.
Run: python examples/seeds_nn_mlp.py
"""
import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim
from ember.nn import utils

# ---- Dropout
# Define MLP model with Dropout
class MLP_Dropout(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(2, 4)
        self.dropout = nn.Dropout(p=0.5)  # 50% neurons dropped
        self.layer2 = nn.Linear(4, 1)
        self.activation = nn.Sigmoid()

    def forward(self, x):
        x = F.relu(self.layer1(x))
        x = self.dropout(x)  # Apply dropout
        x = self.activation(self.layer2(x))
        return x

# Initialize model
model_dropout = MLP_Dropout()
print(model_dropout)

# ---- Batch normalization
# Define MLP model with BatchNorm
class MLP_BatchNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(2, 4)
        self.batchnorm = nn.BatchNorm1d(4)  # Batch Normalization layer
        self.layer2 = nn.Linear(4, 1)
        self.activation = nn.Sigmoid()

    def forward(self, x):
        x = self.layer1(x)
        x = self.batchnorm(x)  # Apply batch normalization
        x = F.relu(x)
        x = self.activation(self.layer2(x))
        return x

# Initialize model
model_batchnorm = MLP_BatchNorm()
print(model_batchnorm)
print(list(model_batchnorm.state_dict().keys()))

# ---- Gradient clipping
# Define a simple MLP model with Batch Normalization
class MLP_BatchNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(2, 4)
        self.batchnorm = nn.BatchNorm1d(4)  # Ensure this works correctly
        self.layer2 = nn.Linear(4, 1)
        self.activation = nn.Sigmoid()

    def forward(self, x):
        x = self.layer1(x)
        x = self.batchnorm(x)  # Apply BatchNorm
        x = torch.relu(x)
        x = self.activation(self.layer2(x))
        return x

# Initialize model
torch_model = MLP_BatchNorm()

# Define optimizer
optimizer = optim.Adam(torch_model.parameters(), lr=0.01)

# ✅ Generate dummy batch data (Batch size = 2 or more)
X_batch = torch.tensor([[0.5, 0.2], [0.1, 0.7]])  # Ensure batch size > 1

# Training loop with Gradient Clipping
for epoch in range(10):
    torch_model.train()  # Ensure model is in training mode
    optimizer.zero_grad()

    output = torch_model(X_batch)  # Pass batch-sized input
    loss = output.mean()  # Example loss function

    loss.backward()

    # ✅ Apply Gradient Clipping
    utils.clip_grad_norm_(torch_model.parameters(), max_norm=1.0)

    optimizer.step()

    print(f"Epoch {epoch+1}, Loss: {loss.item():.4f}")

# ---- train vs eval (not in the seed): Dropout is off and BatchNorm uses running stats in eval
model_dropout.eval()
print(model_dropout(X_batch).shape)
torch_model.eval()
print(torch_model(X_batch).shape)
