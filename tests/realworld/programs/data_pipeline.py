"""A data-loading pipeline in the style of the Datasets & DataLoaders tutorial: a map-style
Dataset with transform/target_transform, random_split with a seeded generator, a custom
Sampler[int], WeightedRandomSampler for class balance, ConcatDataset/Subset, a collate_fn, and a
small model fed by the loaders."""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import (ConcatDataset, DataLoader, Dataset, Sampler, Subset,
                              WeightedRandomSampler, random_split)


class CsvLikeDataset(Dataset):
    """Rows of a table held in memory: features are standardised by ``transform``, labels
    one-hot encoded by ``target_transform``."""

    def __init__(self, table, transform=None, target_transform=None):
        self.table = table
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.table)

    def __getitem__(self, idx):
        row = self.table[idx]
        features = torch.tensor(row[:-1], dtype=torch.float32)
        label = int(row[-1])
        if self.transform:
            features = self.transform(features)
        if self.target_transform:
            label = self.target_transform(label)
        return features, label


class EveryOtherSampler(Sampler[int]):
    """Yields even indices, then odd ones: a deterministic custom order."""

    def __init__(self, data_source):
        self.n = len(data_source)

    def __iter__(self):
        yield from range(0, self.n, 2)
        yield from range(1, self.n, 2)

    def __len__(self):
        return self.n


def collate_with_lengths(batch):
    xs = torch.stack([x for x, _ in batch])
    ys = torch.stack([y for _, y in batch])
    return xs, ys, torch.tensor([len(batch)])


def main():
    rng = np.random.default_rng(0)
    n = 120
    labels = (rng.random(n) < 0.25).astype(np.float64)          # imbalanced: about 1 in 4
    features = rng.normal(size=(n, 4)) + labels[:, None] * 1.5
    table = np.concatenate([features, labels[:, None]], axis=1)
    mean = torch.tensor(features.mean(axis=0), dtype=torch.float32)
    std = torch.tensor(features.std(axis=0), dtype=torch.float32)

    dataset = CsvLikeDataset(table, transform=lambda x: (x - mean) / std,
                             target_transform=lambda y: F.one_hot(torch.tensor(y), 2).float())
    out = {"len": len(dataset), "first": [dataset[0][0].tolist(), dataset[0][1].tolist()]}

    train_set, val_set, test_set = random_split(dataset, [0.7, 0.2, 0.1],
                                                generator=torch.Generator().manual_seed(42))
    out["split_sizes"] = [len(train_set), len(val_set), len(test_set)]
    assert sorted(train_set.indices + val_set.indices + test_set.indices) == list(range(n))

    # every-other order, batches of 16, with a collate function
    ordered = DataLoader(dataset, batch_size=16, sampler=EveryOtherSampler(dataset),
                         collate_fn=collate_with_lengths)
    sizes = [int(b[2].item()) for b in ordered]
    out["ordered_batches"] = sizes
    first_x, first_y, _ = next(iter(ordered))
    out["ordered_first"] = [first_x.sum().item(), first_y.argmax(dim=1).tolist()]

    # class balance: weights 1 / class count, drawn with replacement
    train_labels = torch.tensor([int(table[i, -1]) for i in range(n)])
    counts = torch.bincount(train_labels, minlength=2)
    weights = 1.0 / counts.float()
    sample_weights = weights[train_labels]
    sampler = WeightedRandomSampler(sample_weights, num_samples=4000, replacement=True,
                                    generator=torch.Generator().manual_seed(0))
    drawn = train_labels[torch.tensor(list(sampler))]
    out["balanced_fraction"] = round(drawn.float().mean().item(), 1)
    out["counts"] = counts.tolist()

    both = ConcatDataset([Subset(dataset, range(10)), Subset(dataset, [100, 101])])
    out["concat"] = [len(both), both[11][0].tolist()]

    # a few epochs of a small model on a fixed split (the random one above depends on the
    # library's generator), without shuffling
    train_set, val_set = Subset(dataset, range(84)), Subset(dataset, range(84, 108))
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    loader = DataLoader(train_set, batch_size=20, shuffle=False)
    losses = []
    for epoch in range(4):
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)           # probability targets
            loss.backward()
            optimizer.step()
            total += loss.item() * len(x)
        losses.append(total / len(train_set))
    out["losses"] = losses
    val_x = torch.stack([val_set[i][0] for i in range(len(val_set))])
    val_y = torch.stack([val_set[i][1] for i in range(len(val_set))]).argmax(1)
    with torch.no_grad():
        out["val_accuracy"] = (model(val_x).argmax(axis=1) == val_y).float().mean().item()
    out["batches_per_epoch"] = math.ceil(len(train_set) / 20) == len(loader)
    return out
