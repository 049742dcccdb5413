"""nn.utils in the ways models use it: a TCN whose causal convolutions carry weight_norm (the
old hook form, as TCN/WaveNet code writes it), a GAN critic with spectral_norm, an orthogonal
recurrent matrix from parametrizations, activation checkpointing of the TCN blocks during
training, then magnitude pruning (global, then made permanent) and conv/batch-norm folding for
inference."""
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.utils.parametrize as parametrize
import torch.nn.utils.prune as prune
from torch.nn.utils import parametrizations, spectral_norm, weight_norm
from torch.utils.checkpoint import checkpoint


class Chomp1d(nn.Module):
    def __init__(self, chomp):
        super().__init__()
        self.chomp = chomp

    def forward(self, x):
        return x[:, :, :-self.chomp].contiguous()


class TemporalBlock(nn.Module):
    def __init__(self, n_in, n_out, kernel, dilation):
        super().__init__()
        pad = (kernel - 1) * dilation
        self.conv1 = weight_norm(nn.Conv1d(n_in, n_out, kernel, padding=pad, dilation=dilation))
        self.conv2 = weight_norm(nn.Conv1d(n_out, n_out, kernel, padding=pad, dilation=dilation))
        self.net = nn.Sequential(self.conv1, Chomp1d(pad), nn.ReLU(),
                                 self.conv2, Chomp1d(pad), nn.ReLU())
        self.downsample = nn.Conv1d(n_in, n_out, 1) if n_in != n_out else None

    def forward(self, x):
        res = x if self.downsample is None else self.downsample(x)
        return torch.relu(self.net(x) + res)


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([TemporalBlock(2, 6, 3, 1), TemporalBlock(6, 6, 3, 2)])
        self.hidden = parametrizations.orthogonal(nn.Linear(6, 6, bias=False))
        self.critic = nn.Sequential(spectral_norm(nn.Conv1d(6, 4, 3)), nn.LeakyReLU(0.2),
                                    nn.AdaptiveAvgPool1d(1), nn.Flatten(),
                                    spectral_norm(nn.Linear(4, 1)))

    def forward(self, x, use_checkpoint=False):
        for block in self.blocks:
            x = checkpoint(block, x, use_reentrant=False) if use_checkpoint else block(x)
        h = self.hidden(x.transpose(1, 2)).transpose(1, 2)
        return self.critic(h)


def load_pretrained(model, seed):
    """Stands in for downloaded weights: every state_dict entry from a seeded generator."""
    rng = np.random.default_rng(seed)
    state = {k: torch.tensor(rng.uniform(-0.4, 0.4, tuple(v.shape)).astype(np.float32))
             for k, v in model.state_dict().items()}
    for k in state:
        if k.endswith("weight_g"):
            state[k] = state[k].abs() + 0.5
    model.load_state_dict(state)


def main():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # torch.nn.utils.weight_norm's deprecation
        model = Model()
    load_pretrained(model, 0)
    rng = np.random.default_rng(1)
    q, _ = np.linalg.qr(rng.normal(0, 1, (6, 6)))
    with torch.no_grad():  # through right_inverse: the base becomes q
        model.hidden.weight = torch.tensor(q.astype(np.float32))
    start_error = (model.hidden.weight - torch.tensor(q.astype(np.float32))).abs().max().item()
    keys = sorted(model.state_dict())
    x = torch.tensor(rng.normal(0, 1, (4, 2, 12)).astype(np.float32))
    target = torch.tensor(rng.normal(0, 1, (4, 1)).astype(np.float32))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for step in range(4):
        opt.zero_grad()
        loss = ((model(x, use_checkpoint=step % 2 == 0) - target) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    q = model.hidden.weight
    orth_error = (q.T @ q - torch.eye(6)).abs().max().item()

    model.eval()
    with torch.no_grad():
        before = model(x)
    convs = [(b.downsample, "weight") for b in model.blocks if b.downsample is not None]
    prune.global_unstructured(convs + [(model.critic[0], "weight_orig")],
                              pruning_method=prune.L1Unstructured, amount=0.3)
    masks = [float(m.weight_mask.sum()) for m, _ in convs]
    for module, name in convs:
        prune.remove(module, name)
    with torch.no_grad():
        pruned = model(x)
    zeros = sum(int((m.weight == 0).sum()) for m, _ in convs)

    conv, bn = nn.Conv1d(2, 3, 3), nn.BatchNorm1d(3)
    load_pretrained(conv, 2)
    with torch.no_grad():
        bn(conv(x))  # running statistics
    conv.eval(), bn.eval()
    fused = torch.nn.utils.fuse_conv_bn_eval(conv, bn)
    with torch.no_grad():
        fold_error = (fused(x) - bn(conv(x))).abs().max().item()
        folded = fused(x)[0, :, :3]

    parametrize.remove_parametrizations(model.hidden, "weight")
    return {"keys": keys, "losses": losses, "orth_error_small": orth_error < 1e-4,
            "start_error_small": start_error < 1e-5,
            "before": before.numpy(), "pruned": pruned.numpy(), "masks": masks, "zeros": zeros,
            "fold_error_small": fold_error < 1e-5, "folded": folded.numpy(),
            "hidden_type": type(model.hidden).__name__}
