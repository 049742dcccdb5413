"""The training loop of ``keras.Model``: ``Trainer`` (compile/fit/evaluate/predict and the
overridable ``train_step``/``test_step``), what ``compile`` makes of losses and metrics, and the
data handling."""
from .compile_utils import CompileLoss, CompileMetrics
from .trainer import Trainer

__all__ = ["Trainer", "CompileLoss", "CompileMetrics"]
