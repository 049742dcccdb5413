"""Seed cells (course notes 000): a ``TensorDataset`` from the animals DataFrame, then a ``DataLoader``.

The code below is the seed's, with only the import lines changed (torch -> ember). It needs
pandas (pip install pandas). The shuffled batch order differs from the notes' run, as torch's
would from run to run; call ``torch.manual_seed(n)`` first to fix it.
Run: python examples/seeds_data_tensordataset.py
"""
import ember as torch
from ember.utils.data import TensorDataset
import pandas as pd

data = {
    "animal_name": ["sparrow", "eagle", "cat", "dog", "lizard"],
    "hair": [0, 0, 1, 1, 0],
    "feathers": [1, 1, 0, 0, 0],
    "eggs": [1, 1, 0, 0, 1],
    "milk": [0, 0, 1, 1, 0],
    "predator": [0, 1, 1, 0, 1],
    "legs": [2, 2, 4, 4, 4],
    "tail": [1, 1, 1, 1, 1],
    "type": [0, 0, 1, 1, 2]
}

animals = pd.DataFrame(data)


X = animals.iloc[:, 1:-1].to_numpy()  
y = animals.iloc[:, -1].to_numpy()

# Create a dataset
dataset = TensorDataset(torch.tensor(X), torch.tensor(y))

# Print the first sample
input_sample, label_sample = dataset[0]
print('Input sample:', input_sample)
print('Label sample:', label_sample)

from ember.utils.data import DataLoader

# Create a DataLoader
dataloader = DataLoader(dataset, shuffle=True, batch_size=2)

# Iterate over the dataloader
for batch_inputs, batch_labels in dataloader:
    print('batch_inputs:', batch_inputs)
    print('batch_labels:', batch_labels)
