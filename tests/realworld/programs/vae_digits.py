"""A variational autoencoder on scikit-learn's 8x8 digits in the torch.distributions style: the
encoder gives a Normal posterior, the decoder Bernoulli pixel logits, the loss is the negative
ELBO with kl_divergence against a standard-normal prior. The reparameterised draw takes its
noise from a seeded NumPy generator (z = q.loc + q.scale * eps), so both libraries see the same
noise; q.rsample() is still used to check that gradients reach the encoder."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import Bernoulli, Normal, kl_divergence
from torch.utils.data import DataLoader, TensorDataset


def load_digits_binary(n=256):
    from sklearn.datasets import load_digits
    x = load_digits().data[:n] / 16.0
    return (x > 0.5).astype(np.float32)


def load_pretrained(model, seed):
    rng = np.random.default_rng(seed)
    state = {k: torch.tensor(rng.uniform(-0.2, 0.2, tuple(v.shape)).astype(np.float32))
             for k, v in model.state_dict().items()}
    model.load_state_dict(state)


class VAE(nn.Module):
    def __init__(self, d_in=64, hidden=32, latent=4):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU())
        self.to_loc = nn.Linear(hidden, latent)
        self.to_scale = nn.Linear(hidden, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, d_in))

    def posterior(self, x):
        h = self.encoder(x)
        return Normal(self.to_loc(h), F.softplus(self.to_scale(h)) + 1e-4)

    def forward(self, x, eps):
        q = self.posterior(x)
        z = q.loc + q.scale * eps
        return q, Bernoulli(logits=self.decoder(z))


def neg_elbo(model, x, eps):
    q, likelihood = model(x, eps)
    prior = Normal(torch.zeros_like(q.loc), torch.ones_like(q.scale))
    recon = likelihood.log_prob(x).sum(-1)
    kl = kl_divergence(q, prior).sum(-1)
    return (kl - recon).mean(), recon.mean(), kl.mean()


def main():
    x = load_digits_binary()
    model = VAE()
    load_pretrained(model, 0)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loader = DataLoader(TensorDataset(torch.tensor(x)), batch_size=64, shuffle=False)
    noise = np.random.default_rng(1)
    history = []
    for epoch in range(4):
        total = 0.0
        for (batch,) in loader:
            eps = torch.tensor(noise.standard_normal((batch.shape[0], 4)).astype(np.float32))
            loss, recon, kl = neg_elbo(model, batch, eps)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * batch.shape[0]
        history.append(total / len(x))

    data = torch.tensor(x[:16])
    with torch.no_grad():
        eps = torch.tensor(noise.standard_normal((16, 4)).astype(np.float32))
        loss, recon, kl = neg_elbo(model, data, eps)
        q = model.posterior(data)
        prior = Normal(0.0, 1.0)
        prior_logp = prior.log_prob(q.loc).sum(-1)
    # rsample: a fresh draw's gradient reaches the encoder (its value depends on the generator)
    torch.manual_seed(0)
    z = model.posterior(data).rsample()
    model.zero_grad()
    z.pow(2).sum().backward()
    reached = float(model.to_scale.weight.grad.abs().sum() > 0)
    return {"history": history, "loss": loss.item(), "recon": recon.item(), "kl": kl.item(),
            "prior_logp": prior_logp.tolist(), "posterior_entropy": q.entropy().sum(-1).tolist(),
            "sample_shape": list(z.shape), "grad_reached_scale": reached}
