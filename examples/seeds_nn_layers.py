"""Seed cells (course notes 000): linear layers, ``nn.Sequential``, counting parameters,
sigmoid and softmax, indexing a model's layers.

The code below is the seed's, with only the import lines changed (torch -> ember).
Run: python examples/seeds_nn_layers.py
"""
import ember as torch
import ember.nn as nn

# ---- Linear layer
input_tensor = torch.tensor([1.0, 2.0, 3.0])

linear_layer = nn.Linear(in_features=3, out_features=2)

output_tensor = linear_layer(input_tensor)

print(output_tensor)

# ---- Adding hidden layers with nn.Sequential
input_tensor = torch.Tensor([[2, 3, 6, 7, 9, 3, 2, 1]])

# Create a container for stacking linear layers
model = nn.Sequential(nn.Linear(8, 4),
                nn.Linear(4, 1)
                )

output = model(input_tensor)
print(output)

# ---- Counting the number of parameters
model = nn.Sequential(nn.Linear(9, 4),
                      nn.Linear(4, 2),
                      nn.Linear(2, 1))

total = 0

# Calculate the number of parameters in the model
for p in model.parameters():
  total += p.numel()

print(f"The number of parameters in the model is {total}")

# ---- Sigmoid
input_tensor = torch.tensor([[2.4]])

# Create a sigmoid function and apply it on input_tensor
sigmoid = nn.Sigmoid()
probability = sigmoid(input_tensor)
print(probability)

# ---- Softmax (no dim: torch's legacy choice, with a warning)
input_tensor = torch.tensor([[1.0, -6.0, 2.5, -0.3, 1.2, 0.8]])

# Create a softmax function and apply it on input_tensor
softmax = nn.Softmax()
probabilities = softmax(input_tensor)
print(probabilities)

# ---- From regression to multi-class classification
input_tensor = torch.Tensor([[3, 4, 6, 7, 10, 12, 2, 3, 6, 8, 9]])

# Implement a neural network with exactly four linear layers
model = nn.Sequential(
  nn.Linear(11, 20),
  nn.Linear(20, 10),
  nn.Linear(10, 5),
  nn.Linear(5, 1)
)

output = model(input_tensor)
print(output)

# Update network below to perform a multi-class classification with four labels
model = nn.Sequential(
  nn.Linear(11, 20),
  nn.Linear(20, 12),
  nn.Linear(12, 6),
  nn.Linear(6, 4),
  nn.Softmax(dim=-1)
)

output = model(input_tensor)
print(output)

# ---- Accessing the model parameters
model = nn.Sequential(nn.Linear(16, 8),
                      nn.Linear(8, 2)
                     )

# Access the weight of the first linear layer
weight_0 = model[0].weight
print("Weight of the first layer:", weight_0)

# Access the bias of the second linear layer
bias_1 = model[1].bias
print("Bias of the second layer:", bias_1)
