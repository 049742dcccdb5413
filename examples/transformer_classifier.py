"""A small transformer-encoder classifier, written as PyTorch code (only the imports name
ember): token and position embeddings, two ``nn.TransformerEncoderLayer``\\ s over padded
sequences (``src_key_padding_mask`` hides the padding), a masked mean and a linear head.

The task needs word order: every sequence holds one "A" (token 1) and one "B" (token 2) among
random filler tokens; the label says whether A comes before B.

Run: python examples/transformer_classifier.py [--epochs 6]
"""
import argparse

import numpy as np

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, TensorDataset

MAX_LEN, VOCAB, PAD = 16, 12, 0


def make_data(n, rng):
    tokens = np.zeros((n, MAX_LEN), np.int64)
    labels = np.zeros(n, np.int64)
    for i in range(n):
        length = rng.integers(4, MAX_LEN + 1)
        seq = rng.integers(3, VOCAB, length)
        a, b = rng.choice(length, 2, replace=False)
        seq[a], seq[b] = 1, 2
        tokens[i, :length] = seq
        labels[i] = int(a < b)
    return tokens, labels


class Classifier(nn.Module):
    def __init__(self, d_model=32, nhead=4, layers=2):
        super().__init__()
        self.tokens = nn.Embedding(VOCAB, d_model, padding_idx=PAD)
        self.positions = nn.Embedding(MAX_LEN, d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=64, dropout=0.1,
                                           batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=layers)
        self.head = nn.Linear(d_model, 2)

    def forward(self, tokens):
        pad = tokens == PAD                                   # (batch, length), True = padding
        positions = torch.arange(tokens.shape[1]).unsqueeze(0)
        x = self.tokens(tokens) + self.positions(positions)
        x = self.encoder(x, src_key_padding_mask=pad)
        keep = (~pad).unsqueeze(-1).float()
        pooled = (x * keep).sum(1) / keep.sum(1)             # mean over the real tokens
        return self.head(pooled)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=6)
    args = parser.parse_args()
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x_train, y_train = make_data(2000, rng)
    x_test, y_test = make_data(500, rng)
    loader = DataLoader(TensorDataset(torch.tensor(x_train), torch.tensor(y_train)),
                        batch_size=64, shuffle=True)
    model = Classifier()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for epoch in range(args.epochs):
        model.train()
        total, correct = 0.0, 0
        for xb, yb in loader:
            optimizer.zero_grad()
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            correct += (logits.argmax(1) == yb).sum().item()
        print(f"epoch {epoch}  loss {total / len(x_train):.4f}  accuracy {correct / len(x_train):.3f}")
    model.eval()
    with torch.no_grad():
        accuracy = (model(torch.tensor(x_test)).argmax(1) == torch.tensor(y_test)).float().mean()
    print(f"test accuracy {accuracy.item():.3f}")


if __name__ == "__main__":
    main()
