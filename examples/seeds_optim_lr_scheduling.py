"""Seed cell (course notes 004): ExponentialLR and StepLR on one Adam optimizer, stepping only one.

The code below is the seed's, with only the import lines changed (torch -> ember); the seed
uses ``utils.clip_grad_norm_`` without importing ``utils``, so the import is added here.
Expected output: "Epoch 1, Learning Rate: 0.009000", "Epoch 2, Learning Rate: 0.008100", …
Run: python examples/seeds_optim_lr_scheduling.py
"""
import ember as torch
import ember.nn as nn
import ember.nn.utils as utils
import ember.optim as optim

# ✅ Implementing Learning Rate Scheduling in PyTorch

# Define MLP model with Batch Normalization
class MLP_BatchNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(2, 4)
        self.batchnorm = nn.BatchNorm1d(4)  # Ensure batch size > 1
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

# Exponential Decay
scheduler_exp = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)

# Step Decay
scheduler_step = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)

# ✅ Generate dummy batch data (Batch size = 2 or more)
X_batch = torch.tensor([[0.5, 0.2], [0.1, 0.7]])  # Ensure batch size > 1

# Training loop with Learning Rate Scheduling
for epoch in range(20):
    torch_model.train()  # Ensure model is in training mode
    optimizer.zero_grad()
    
    output = torch_model(X_batch)  # Pass batch-sized input
    loss = output.mean()  # Example loss function
    
    loss.backward()
    
    # ✅ Apply Gradient Clipping
    utils.clip_grad_norm_(torch_model.parameters(), max_norm=1.0)
    
    optimizer.step()

    # ✅ Update learning rate
    scheduler_exp.step()
    
    print(f"Epoch {epoch+1}, Learning Rate: {scheduler_exp.get_last_lr()[0]:.6f}")
