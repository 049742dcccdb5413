"""A small ShuffleNet-V2-style classifier (channel split, depthwise branch, nn.ChannelShuffle),
with the legacy CrossMapLRN2d after a frozen stem and a FractionalMaxPool2d whose steps are fixed
by _random_samples, trained a few SGD steps; and a fairseq-style time-major convolutional
encoder (F.conv_tbc, GLU) trained with Adam. Weights and data come from deterministic formulas,
so both libraries start from the same numbers."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def fill_(module):
    with torch.no_grad():
        for i, p in enumerate(module.parameters()):
            p.copy_(torch.sin(torch.arange(p.numel()).float() * 0.37 + i).reshape(p.shape) * 0.3)


class ShuffleUnit(nn.Module):
    def __init__(self, channels):
        super().__init__()
        half = channels // 2
        self.branch = nn.Sequential(
            nn.Conv2d(half, half, 1, bias=False), nn.BatchNorm2d(half), nn.ReLU(inplace=True),
            nn.Conv2d(half, half, 3, padding=1, groups=half, bias=False), nn.BatchNorm2d(half),
            nn.Conv2d(half, half, 1, bias=False), nn.BatchNorm2d(half), nn.ReLU(inplace=True))
        self.shuffle = nn.ChannelShuffle(2)

    def forward(self, x):
        keep, work = x.chunk(2, dim=1)
        return self.shuffle(torch.cat((keep, self.branch(work)), dim=1))


class TinyShuffleNet(nn.Module):
    def __init__(self, batch, classes=3):
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, padding=1)
        self.lrn = nn.CrossMapLRN2d(3, alpha=1e-2, beta=0.75, k=1.0)
        self.unit1 = ShuffleUnit(8)
        samples = torch.linspace(0.05, 0.95, batch * 8 * 2).reshape(batch, 8, 2)
        self.pool = nn.FractionalMaxPool2d(2, output_size=5, _random_samples=samples)
        self.unit2 = ShuffleUnit(8)
        self.head = nn.Linear(8, classes)

    def forward(self, x):
        x = self.pool(self.unit1(self.lrn(F.relu(self.stem(x)))))
        x = F.channel_shuffle(self.unit2(x), 4)
        return self.head(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def train_images(steps=6, batch=4):
    model = TinyShuffleNet(batch)
    fill_(model)
    model.stem.requires_grad_(False)  # nothing learns below CrossMapLRN2d: torch's backward of
    # it is not the gradient of its forward (ember's is), so trajectories would part there
    x = torch.sin(torch.arange(batch * 9 * 9).float() * 0.11).reshape(batch, 1, 9, 9)
    y = torch.tensor([0, 1, 2, 1])
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        logits = model(x)
    return losses, logits.numpy()


class ConvTBCEncoder(nn.Module):
    """fairseq's convolutional encoder block: time-major conv_tbc, a GLU, a residual."""

    def __init__(self, channels, kernel):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(kernel, channels, 2 * channels))
        self.bias = nn.Parameter(torch.empty(2 * channels))
        self.pad = (kernel - 1) // 2

    def forward(self, x):  # (T, B, C)
        return F.glu(F.conv_tbc(x, self.weight, self.bias, self.pad), dim=2) + x


def train_sequences(steps=5):
    enc = nn.Sequential(ConvTBCEncoder(4, 3), ConvTBCEncoder(4, 5))
    fill_(enc)
    x = torch.cos(torch.arange(7 * 2 * 4).float() * 0.3).reshape(7, 2, 4)
    target = torch.sin(torch.arange(7 * 2 * 4).float() * 0.2).reshape(7, 2, 4)
    opt = torch.optim.Adam(enc.parameters(), lr=1e-2)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.mse_loss(enc(x), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def main():
    torch.manual_seed(0)
    losses, logits = train_images()
    return {"image_losses": losses, "logits": logits, "sequence_losses": train_sequences()}
