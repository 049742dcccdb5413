"""``Module``'s path as torch names it (``torch.nn.modules.module.Module``); the class lives in
:mod:`ember.nn.module`, the hooks on every module in :mod:`ember.nn.global_hooks`."""
from ..global_hooks import (register_module_backward_hook, register_module_buffer_registration_hook,
                            register_module_forward_hook, register_module_forward_pre_hook,
                            register_module_full_backward_hook,
                            register_module_full_backward_pre_hook,
                            register_module_module_registration_hook,
                            register_module_parameter_registration_hook)
from ..module import Module

__all__ = ["Module", "register_module_forward_pre_hook", "register_module_forward_hook",
           "register_module_backward_hook", "register_module_full_backward_pre_hook",
           "register_module_full_backward_hook", "register_module_buffer_registration_hook",
           "register_module_module_registration_hook", "register_module_parameter_registration_hook"]
