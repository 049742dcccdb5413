"""Seed cells (course notes 000): one-hot labels with ``F.one_hot``, cross-entropy on one-hot
doubles, MSE, ReLU and LeakyReLU.

The code below is the seed's, with only the import lines changed (torch -> ember).
Run: python examples/seeds_nn_losses.py
"""
import numpy as np
import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.nn import CrossEntropyLoss

# ---- One-hot encoding
y = 1
num_classes = 3

# Create the one-hot encoded vector using NumPy
one_hot_numpy = np.array([0, 1, 0])

# Create the one-hot encoded vector using PyTorch
one_hot_pytorch = F.one_hot(torch.tensor(y), num_classes=3)

print("One-hot vector using NumPy:", one_hot_numpy)
print("One-hot vector using PyTorch:", one_hot_pytorch)

# ---- Calculating cross entropy loss
y = [2]
scores = torch.tensor([[0.1, 6.0, -2.0, 3.2]])

# Create a one-hot encoded vector of the label y
one_hot_label = F.one_hot(torch.tensor(y), num_classes=4)

# Create the cross entropy loss function
criterion = CrossEntropyLoss()

# Calculate the cross entropy loss
loss = criterion(scores.double(), one_hot_label.double())
print(loss)

# ---- Using the MSELoss
y_pred = np.array([3, 5.0, 2.5, 7.0])
y = np.array([3.0, 4.5, 2.0, 8.0])

# Calculate MSE using NumPy
mse_numpy = np.mean((y-y_pred)**2)

# Create the MSELoss function in PyTorch
criterion = nn.MSELoss()

# Calculate MSE using PyTorch
mse_pytorch = criterion(torch.tensor(y), torch.tensor(y_pred))

print("MSE (NumPy):", mse_numpy)
print("MSE (PyTorch):", mse_pytorch)

# ---- ReLU
# Create a ReLU function with PyTorch
relu_pytorch = nn.ReLU()

x_pos = torch.tensor(2.0)
x_neg = torch.tensor(-3.0)

# Apply the ReLU function to the tensors
output_pos = relu_pytorch(x_pos)
output_neg = relu_pytorch(x_neg)

print("ReLU applied to positive value:", output_pos)
print("ReLU applied to negative value:", output_neg)

# ---- Leaky ReLU
# Create a leaky relu function in PyTorch
leaky_relu_pytorch = nn.LeakyReLU(negative_slope=0.05)

x = torch.tensor(-2.0)
# Call the above function on the tensor x
output = leaky_relu_pytorch(x)
print(output)
