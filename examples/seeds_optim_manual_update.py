"""Seed cells (course notes 000): updating weights by hand with ``weight.grad``, then ``optim.SGD``.

The code below is the seed's, with only the import lines changed (torch -> ember).
Run: python examples/seeds_optim_manual_update.py
"""
import ember as torch
import ember.nn as nn

# ---- Updating the weights manually
model = nn.Sequential(nn.Linear(16, 8),
                      nn.Linear(8, 2),
                      nn.Linear(2, 1)
                     )

input_tensor = torch.tensor([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0]])

output = model(input_tensor)

criterion = nn.CrossEntropyLoss()

loss = criterion(output, torch.tensor([0]))
print(loss)

loss.backward()

# Set the learning rate
lr = 0.001

weight0 = model[0].weight
weight1 = model[1].weight
weight2 = model[2].weight

# Access the gradients of the weight of each linear layer
grads0 = weight0.grad
grads1 = weight1.grad
grads2 = weight2.grad

# Update the weights using the learning rate and the gradients
weight0 = weight0 - grads0 * lr
weight1 = weight1 - grads1 * lr
weight2 = weight2 - grads2 * lr

# ---- Using the PyTorch optimizer
# Create the optimizer
optimizer = torch.optim.SGD(model.parameters(), lr=0.001)

model = nn.Sequential(nn.Linear(16, 8),
                      nn.Linear(8, 2),
                      nn.Linear(2, 1)
                     )

input_tensor = torch.tensor([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0]])

output = model(input_tensor)

criterion = nn.CrossEntropyLoss()

loss = criterion(output, torch.tensor([0]))
loss.backward()

# Update the model's parameters using the optimizer
optimizer.step()
