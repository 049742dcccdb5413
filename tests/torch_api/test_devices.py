"""Device boilerplate answers as on a CPU-only torch: cuda/accelerator/backends queries, device
objects, ``.to``/``.cuda``/``.cpu`` on tensors and modules, AMP's autocast and GradScaler."""
import numpy as np
import pytest

import ember
from torch_twin import assert_twin

torch = pytest.importorskip("torch")

QUERIES = [
    "m.cuda.is_available()", "m.cuda.device_count()", "m.cuda.is_initialized()",
    "m.cuda.is_bf16_supported()", "m.cuda.manual_seed(0)", "m.cuda.manual_seed_all(1)",
    "m.cuda.empty_cache()", "m.cuda.memory_allocated()", "m.cuda.max_memory_allocated()",
    "m.cuda.memory_reserved()", "m.cuda.get_arch_list()", "m.cuda.current_device()",
    "m.cuda.get_device_name(0)", "m.cuda.get_device_properties(0)", "m.cuda.synchronize()",
    "m.cuda.get_rng_state_all()", "m.cuda.seed_all()", "m.cuda.initial_seed()",
    "m.cuda.mem_get_info()",
    "m.accelerator.is_available()", "m.accelerator.current_accelerator()",
    "m.accelerator.device_count()",
    "m.backends.mps.is_available()", "m.backends.mps.is_built()",
    "m.backends.cudnn.is_available()", "m.backends.cudnn.enabled", "m.backends.cudnn.benchmark",
    "m.backends.cudnn.deterministic", "m.backends.cudnn.version()",
    "m.backends.cuda.matmul.allow_tf32", "m.backends.cuda.is_built()",
    "m.backends.mkl.is_available()", "m.backends.openmp.is_available()",
    "m.backends.mkldnn.is_available()",
    "m.cpu.is_available()", "m.cpu.device_count()", "m.cpu.current_device()",
    "m.mps.device_count()",
]


@pytest.mark.parametrize("expr", QUERIES)
def test_queries_answer_as_cpu_only_torch(expr):
    assert_twin(expr)


DEVICES = [
    "m.device('cpu')", "m.device('cuda')", "m.device('cuda:1')", "m.device('cuda', 0)",
    "m.device('cpu', 0)", "repr(m.device('cuda', 2))", "str(m.device('cuda', 2))",
    "repr(m.device('mps'))", "m.device('cuda').type", "m.device('cuda:3').index",
    "m.device('cpu').index", "m.device('cpu') == m.device('cpu')", "m.device('cpu') == 'cpu'",
    "m.device('cpu') == m.device('cpu', 0)", "m.device('foo')", "m.device('cuda:x')",
    "m.device('cpu', 'a')", "m.device(m.device('cpu'))",
    "m.device('cuda' if m.cuda.is_available() else 'cpu')",
    "m.device('mps' if m.backends.mps.is_available() else 'cpu')",
    "m.zeros(2, device='cpu')", "m.zeros(2, device='cuda')", "m.zeros(2, device='cuda:1')",
    "m.ones(2, device=m.device('cpu'))", "m.zeros(1, device='mps')", "m.zeros(1, device='xpu')",
    "m.tensor([1.0], device='cuda')", "m.arange(3, device='cpu')", "m.randn(2, device='cuda').shape",
    "m.ones(2).to('cpu')", "m.ones(2).to('cuda')", "m.ones(2).to(m.device('cpu'))",
    "m.ones(2).to('cpu', m.float64)", "m.ones(2).to(device='cpu', dtype=m.float64, non_blocking=True)",
    "m.ones(2).to(m.float64, copy=True)", "m.ones(2).to(m.zeros(1, dtype=m.int64))",
    "m.ones(2).cuda()", "m.ones(2).cpu()", "m.ones(2).device", "m.ones(2).is_cpu",
    "m.ones(2).is_cuda", "m.ones(2).get_device()",
    "m.nn.Linear(2, 2).to('cpu').weight.shape", "m.nn.Linear(2, 2).to('cuda')",
    "m.nn.Linear(2, 2).cuda()", "m.nn.Linear(2, 2).cpu().weight.dtype",
    "m.nn.Linear(2, 2).to(m.device('cpu'), m.float64).weight.dtype",
    "m.nn.Linear(2, 2, device='cuda')", "m.nn.Linear(2, 2, device='cpu').weight.shape",
    "m.get_default_device()",
]


@pytest.mark.parametrize("expr", DEVICES)
def test_devices_and_moves_answer_as_cpu_only_torch(expr):
    assert_twin(expr, message="'mps'" not in expr)     # torch's MPS message lists its dispatch keys


def test_to_cpu_returns_the_same_tensor():
    x = ember.ones(2)
    assert x.to("cpu") is x and x.cpu() is x and x.to(ember.float32) is x
    assert x.to("cpu", copy=True) is not x


def test_set_default_device_makes_factories_fail_on_cuda_and_none_restores():
    x = ember.ones(2)
    try:
        ember.set_default_device("cuda")
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
            ember.zeros(1)
        assert x.to(ember.float64).dtype == ember.float64   # no device asked: nothing moves
    finally:
        ember.set_default_device(None)
    assert ember.zeros(1).device == ember.device("cpu")


@pytest.mark.parametrize("expr", [
    "m.amp.GradScaler().is_enabled()", "m.amp.GradScaler(enabled=False).get_scale()",
    "m.amp.GradScaler().state_dict()", "m.amp.GradScaler().scale(m.tensor(3.0))",
    "m.cuda.amp.GradScaler().is_enabled()",
])
def test_amp_scaler_is_disabled_without_cuda(expr):
    assert_twin(expr)


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_amp_training_loop_runs_unchanged_in_float32(lib):
    lib.manual_seed(0)
    model = lib.nn.Linear(3, 1)
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    with pytest.warns(UserWarning):
        scaler = lib.amp.GradScaler("cuda")
    x, y = lib.ones(4, 3), lib.zeros(4, 1)
    before = model.weight.detach().numpy().copy()
    with pytest.warns(UserWarning):
        ctx = lib.autocast(device_type="cuda", dtype=lib.float16)
    with ctx:
        loss = lib.nn.functional.mse_loss(model(x), y)
    assert loss.dtype == lib.float32
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    assert not np.allclose(before, model.weight.detach().numpy())


def test_autocast_disabled_says_nothing():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with ember.autocast("cuda", enabled=False):
            pass
        ember.amp.GradScaler(enabled=False)


def test_backends_flags_can_be_set():
    old = ember.backends.cudnn.benchmark
    try:
        ember.backends.cudnn.benchmark = True
        assert ember.backends.cudnn.benchmark is True
    finally:
        ember.backends.cudnn.benchmark = old
