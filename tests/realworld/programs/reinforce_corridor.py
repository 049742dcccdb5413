"""REINFORCE with a softmax policy on a tiny hand-written corridor: the agent starts in the middle
of five cells and is rewarded for reaching the right end. The policy is a Categorical over
{left, right} from a small network; the loss is -(log_prob * normalised return) minus an entropy
bonus. Actions are chosen from the policy's probabilities with a seeded NumPy generator (the
same uniform draws in both libraries), and dist.sample() is used where only its shape and range
matter."""
import numpy as np
import torch
from torch import nn
from torch.distributions import Categorical


class Corridor:
    """Five cells; action 0 moves left, 1 right; +1 at the right end, -0.05 per step."""

    def __init__(self, length=5, max_steps=12):
        self.length, self.max_steps = length, max_steps

    def reset(self):
        self.pos, self.steps = self.length // 2, 0
        return self.observe()

    def observe(self):
        obs = np.zeros(self.length, dtype=np.float32)
        obs[self.pos] = 1.0
        return obs

    def step(self, action):
        self.pos = max(0, min(self.length - 1, self.pos + (1 if action == 1 else -1)))
        self.steps += 1
        done = self.pos == self.length - 1 or self.steps >= self.max_steps
        reward = 1.0 if self.pos == self.length - 1 else -0.05
        return self.observe(), reward, done


class Policy(nn.Module):
    def __init__(self, n_obs=5, hidden=16, n_actions=2):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_obs, hidden), nn.Tanh(), nn.Linear(hidden, n_actions))

    def forward(self, obs):
        return Categorical(logits=self.net(obs))


def load_pretrained(model, seed):
    rng = np.random.default_rng(seed)
    state = {k: torch.tensor(rng.uniform(-0.5, 0.5, tuple(v.shape)).astype(np.float32))
             for k, v in model.state_dict().items()}
    model.load_state_dict(state)


def discounted(rewards, gamma=0.9):
    out, running = [], 0.0
    for r in reversed(rewards):
        running = r + gamma * running
        out.insert(0, running)
    return out


def main():
    env, policy = Corridor(), Policy()
    load_pretrained(policy, 3)
    optimizer = torch.optim.Adam(policy.parameters(), lr=0.02)
    rng = np.random.default_rng(0)
    history = []
    for episode in range(25):
        obs, done = env.reset(), False
        log_probs, entropies, rewards = [], [], []
        while not done:
            dist = policy(torch.tensor(obs))
            probs = dist.probs.detach().numpy()
            action = int(rng.random() > probs[0])  # inverse-CDF draw, the same in both libraries
            log_probs.append(dist.log_prob(torch.tensor(action)))
            entropies.append(dist.entropy())
            obs, reward, done = env.step(action)
            rewards.append(reward)
        returns = torch.tensor(discounted(rewards))
        if len(returns) > 1:
            returns = (returns - returns.mean()) / (returns.std() + 1e-6)
        loss = -(torch.stack(log_probs) * returns).sum() - 0.01 * torch.stack(entropies).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append([loss.item(), float(sum(rewards)), len(rewards)])

    with torch.no_grad():
        states = torch.eye(5)
        final = policy(states)
        torch.manual_seed(0)
        draws = final.sample((100,))
    return {"history": history, "final_probs": final.probs.tolist(),
            "final_entropy": final.entropy().tolist(), "draws_shape": list(draws.shape),
            "draws_in_range": bool(((draws >= 0) & (draws <= 1)).all()),
            "perplexity": final.perplexity().tolist()}
