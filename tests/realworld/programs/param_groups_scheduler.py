"""Fine-tuning style: a custom module with a backbone and a head, an optimizer with parameter
groups (a smaller learning rate and no weight decay for the backbone), a learning-rate schedule
stepped per epoch, gradient clipping, and the schedule's learning rates read back."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim import lr_scheduler


class Backbone(nn.Module):
    def __init__(self, d_in, d_hidden):
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_hidden)
        self.norm = nn.LayerNorm(d_hidden)
        self.fc2 = nn.Linear(d_hidden, d_hidden)

    def forward(self, x):
        x = F.gelu(self.norm(self.fc1(x)))
        return F.silu(self.fc2(x)) + x               # a residual connection


class Classifier(nn.Module):
    def __init__(self, d_in=6, d_hidden=16, n_classes=3, p_drop=0.0):
        super().__init__()
        self.backbone = Backbone(d_in, d_hidden)
        self.dropout = nn.Dropout(p_drop)
        self.head = nn.Linear(d_hidden, n_classes)

    def forward(self, x):
        return self.head(self.dropout(self.backbone(x)))


def main(epochs=6):
    rng = np.random.default_rng(7)
    centers = rng.normal(size=(3, 6)) * 2
    y = rng.integers(0, 3, 150)
    x = (centers[y] + rng.normal(size=(150, 6))).astype(np.float32)
    X, Y = torch.from_numpy(x), torch.from_numpy(y)

    model = Classifier()
    rng_w = np.random.default_rng(11)
    model.load_state_dict({k: torch.tensor(rng_w.uniform(-0.4, 0.4, tuple(v.shape)).astype(np.float32))
                           for k, v in model.state_dict().items()})

    decay, no_decay = [], []
    for name, p in model.backbone.named_parameters():
        (no_decay if name.endswith("bias") or "norm" in name else decay).append(p)
    optimizer = torch.optim.AdamW([
        {"params": decay, "lr": 1e-3},
        {"params": no_decay, "lr": 1e-3, "weight_decay": 0.0},
        {"params": model.head.parameters()},
    ], lr=1e-2, weight_decay=0.05)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    warmup = lr_scheduler.LinearLR(optimizer, start_factor=0.25, total_iters=2)
    schedule = lr_scheduler.ChainedScheduler([warmup, scheduler])

    history = {"loss": [], "lr": [], "grad_norm": []}
    for epoch in range(epochs):
        model.train()
        for start in range(0, 150, 50):
            xb, yb = X[start:start + 50], Y[start:start + 50]
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xb), yb, label_smoothing=0.1)
            loss.backward()
            total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            history["loss"].append(loss.item())
            history["grad_norm"].append(float(total))
        schedule.step()
        history["lr"].append([round(v, 8) for v in schedule.get_last_lr()])
    model.eval()
    with torch.no_grad():
        accuracy = (model(X).argmax(dim=-1) == Y).float().mean().item()
    groups = [(len(g["params"]), g["lr"], g["weight_decay"]) for g in optimizer.param_groups]
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return {"history": history, "accuracy": accuracy, "groups": groups, "n_params": n_params,
            "head": model.head.weight.detach().numpy().copy()}
