"""``Module`` methods for reaching into a module tree by dotted name and torch's memory/compile
entry points: ``get_parameter``, ``get_buffer``, ``set_submodule``, ``to_empty``,
``share_memory``, ``compile``.

Example::

    >>> net = ember.nn.Sequential(ember.nn.Linear(2, 3), ember.nn.BatchNorm1d(3))
    >>> tuple(net.get_parameter("0.weight").shape), net.get_buffer("1.running_mean").tolist()
    ((3, 2), [0.0, 0.0, 0.0])
    >>> net.set_submodule("1", ember.nn.Identity())
    >>> net
    Sequential(
      (0): Linear(in_features=2, out_features=3, bias=True)
      (1): Identity()
    )
"""
from __future__ import annotations

from .._creation import empty_like
from .._device import check_device
from ..autograd.grad_mode import no_grad
from .parameter import Parameter

__all__ = ["ModuleToolsMixin"]


class ModuleToolsMixin:
    """Methods of :class:`ember.nn.Module` (see the module docstring)."""

    #: torch's flags, kept for code that reads or sets them (ember has no deprecated patches to
    #: dump, and ``Module.__init__`` takes no arguments to pass to ``super().__init__``).
    dump_patches: bool = False
    call_super_init: bool = False
    _version: int = 1

    def get_parameter(self, target: str) -> Parameter:
        """The Parameter at dotted path ``target`` (``"encoder.0.weight"``); AttributeError
        when there is none."""
        path, _, name = target.rpartition(".")
        mod = self.get_submodule(path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + " has no attribute `" + name + "`")
        param = getattr(mod, name)
        if not isinstance(param, Parameter):
            raise AttributeError("`" + name + "` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str):
        """The buffer at dotted path ``target`` (``"bn.running_var"``); AttributeError when
        there is none."""
        path, _, name = target.rpartition(".")
        mod = self.get_submodule(path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + " has no attribute `" + name + "`")
        buffer = getattr(mod, name)
        if name not in mod._buffers:
            raise AttributeError("`" + name + "` is not a buffer")
        return buffer

    def set_submodule(self, target: str, module, strict: bool = False) -> None:
        """Puts ``module`` at dotted path ``target``, replacing the submodule there (with
        ``strict``, the last name must already exist)."""
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        atoms = target.split(".")
        if not isinstance(module, ModuleToolsMixin):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent = self if len(atoms) == 1 else self.get_submodule(".".join(atoms[:-1]))
        if strict and not hasattr(parent, atoms[-1]):
            raise AttributeError(parent._get_name() + " has no attribute `" + atoms[-1] + "`")
        if hasattr(parent, atoms[-1]) and not isinstance(getattr(parent, atoms[-1]), ModuleToolsMixin):
            raise AttributeError("`" + atoms[-1] + "` is not an nn.Module")
        setattr(parent, atoms[-1], module)

    def _apply(self, fn, recurse: bool = True):
        """torch's conversion primitive: gives each parameter (and its grad) the values of
        ``fn(tensor)``, keeping the Parameter objects, and replaces each buffer by
        ``fn(buffer)``; children first when ``recurse``. Returns self."""
        if recurse:
            for module in self.children():
                module._apply(fn)
        with no_grad():
            for p in self._parameters.values():
                if p is None:
                    continue
                p.data = fn(p)
                if p.grad is not None:
                    p.grad.data = fn(p.grad)
            for key, b in self._buffers.items():
                if b is not None:
                    self._buffers[key] = fn(b)
        return self

    def to_empty(self, *, device, recurse: bool = True):
        """Gives every parameter and buffer new, uninitialised memory of the same shape and
        dtype on ``device`` (ember: the CPU), keeping the Parameter objects; returns self.

        Example::

            >>> m = ember.nn.Linear(2, 2).to_empty(device="cpu")
            >>> _ = ember.nn.init.zeros_(m.weight)
            >>> m.weight.sum().item()
            0.0
        """
        check_device(device, factory=False)
        return self._apply(lambda t: empty_like(t), recurse=recurse)

    def share_memory(self):
        """Returns self: ember's tensors are NumPy arrays of one process (``Tensor.share_memory_``
        is a no-op), so there is nothing to move into shared memory."""
        return self._apply(lambda t: t.share_memory_())

    def compile(self, *args, **kwargs) -> None:
        """Accepts ``torch.compile``'s arguments and returns None as torch does; ember has no
        compiler, so the module keeps running eagerly with the same results."""
        return None
