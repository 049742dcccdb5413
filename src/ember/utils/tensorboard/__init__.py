"""``ember.utils.tensorboard``: torch's ``torch.utils.tensorboard`` on ember.

``SummaryWriter`` writes real TensorBoard event files through the ``tensorboard`` package (the
optional extra ``ember[tensorboard]``); view them with ``tensorboard --logdir runs``.

Example::

    >>> from ember.utils.tensorboard import SummaryWriter
    >>> writer = SummaryWriter("runs/mnist")
    >>> writer.add_scalar("Loss/train", 0.42, global_step=10)
    >>> writer.close()
"""
try:
    import tensorboard  # noqa: F401
except ImportError as exc:  # pragma: no cover - the extra is installed in the test venv
    raise ImportError("ember.utils.tensorboard needs the tensorboard package: "
                      "pip install 'ember[tensorboard]' (or pip install tensorboard)") from exc

from .writer import FileWriter, SummaryWriter

__all__ = ["SummaryWriter", "FileWriter"]
