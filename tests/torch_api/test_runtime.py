"""torch's namespace-level odds and ends, against torch: Size, finfo/iinfo, legacy tensor types,
dtype queries, predicates, threads and determinism switches, compile, vmap, inference_mode."""
import numpy as np
import pytest

import ember
from torch_twin import assert_twin

torch = pytest.importorskip("torch")

CASES = [
    # Size: a tuple subclass
    "m.zeros(2, 3).shape", "m.zeros(2, 3).size()", "m.zeros(2, 3).size(1)", "m.zeros(2, 3).shape[1:]",
    "m.zeros(2, 3).shape + (4,)", "(1,) + m.zeros(2, 3).shape", "m.zeros(2, 3).shape.numel()",
    "isinstance(m.zeros(2).shape, tuple)", "m.zeros(2, 3).shape == (2, 3)", "m.Size([2, 3])",
    "m.Size()", "m.Size([2.5])", "m.Size([m.tensor(3)])", "m.zeros(m.Size([2, 1])).shape",
    "len(m.zeros(2, 3, 4).shape)", "m.zeros(2, 3).shape * 2", "list(m.zeros(4, 5).shape)",
    # finfo / iinfo
    "m.finfo(m.float32).eps", "m.finfo(m.float32).max", "m.finfo(m.float64).tiny", "m.finfo().bits",
    "m.finfo(m.float16).eps", "m.finfo(m.float16).smallest_normal", "m.finfo(m.float32).resolution",
    "m.finfo(m.int32)", "m.iinfo(m.int32).max", "m.iinfo(m.int64).min", "m.iinfo(m.uint8).bits",
    "m.iinfo(m.float32)",
    # legacy types
    "m.FloatTensor([1, 2])", "m.LongTensor([1.7, -2.5])", "m.FloatTensor(2, 3).shape",
    "m.DoubleTensor([1]).dtype", "m.ByteTensor([1]).dtype", "m.BoolTensor([1, 0])",
    "isinstance(m.ones(2), m.FloatTensor)", "isinstance(m.ones(2), m.DoubleTensor)",
    "m.FloatTensor().shape", "m.ones(2).type()", "m.ones(2, dtype=m.int64).type()",
    "m.ones(2).type(m.DoubleTensor).dtype", "m.ones(2).type('torch.LongTensor').dtype",
    "m.FloatTensor.dtype",
    # dtype queries and predicates
    "m.typename(m.ones(2))", "m.typename(m.ones(2, dtype=m.int64))", "m.typename(3)",
    "m.result_type(m.ones(2, dtype=m.int32), 2.0)", "m.result_type(m.ones(2, dtype=m.int32), 2)",
    "m.result_type(m.ones(2), m.ones(2, dtype=m.float64))", "m.result_type(2, 3.0)",
    "m.can_cast(m.float32, m.int32)", "m.can_cast(m.int32, m.float32)", "m.can_cast(m.int64, m.bool)",
    "m.promote_types(m.int32, m.float16)", "m.promote_types(m.uint8, m.int8)",
    "m.is_tensor(m.ones(1))", "m.is_tensor([1])", "m.is_storage(m.ones(1))",
    "m.is_floating_point(m.ones(1))", "m.is_complex(m.ones(1))", "m.is_nonzero(m.tensor([1.0]))",
    "m.is_nonzero(m.tensor([0, 1]))", "m.is_same_size(m.ones(2), m.ones(2, 1))",
    "m.is_signed(m.ones(1, dtype=m.uint8))", "m.numel(m.ones(2, 3))", "m.is_conj(m.ones(1))",
    "m.is_vulkan_available()",
    # switches
    "m.are_deterministic_algorithms_enabled()", "m.get_deterministic_debug_mode()",
    "m.get_float32_matmul_precision()", "m.set_float32_matmul_precision('bad')",
    "m.is_warn_always_enabled()", "m.is_grad_enabled()", "m.is_inference_mode_enabled()",
    "m.get_num_threads() >= 1", "m.get_num_interop_threads() >= 1",
    # constants and layouts
    "m.e", "m.pi", "m.inf", "m.newaxis", "repr(m.strided).split('.')[-1]",
    "repr(m.contiguous_format).split('.')[-1]", "m.get_default_dtype()",
    "m.zeros(2, layout=m.strided).shape", "m.ones(2).contiguous(memory_format=m.contiguous_format).shape",
]


@pytest.mark.parametrize("expr", CASES)
def test_matches_torch(expr):
    assert_twin(expr, message=not expr.startswith(("m.Size([2.5", "m.finfo(m.int", "m.iinfo(m.f")))


def test_deterministic_and_precision_switches_round_trip():
    try:
        ember.use_deterministic_algorithms(True, warn_only=True)
        assert ember.are_deterministic_algorithms_enabled()
        assert ember.get_deterministic_debug_mode() == 1
        ember.set_float32_matmul_precision("high")
        assert ember.get_float32_matmul_precision() == "high"
    finally:
        ember.use_deterministic_algorithms(False)
        ember.set_float32_matmul_precision("highest")
    assert ember.get_deterministic_debug_mode() == 0


def test_compile_leaves_a_model_callable_with_the_same_output():
    lib = ember        # (torch's compile really compiles: 12 s, so it is not run here)
    lib.manual_seed(0)
    model = lib.nn.Linear(3, 2)
    compiled = lib.compile(model)
    x = lib.ones(4, 3)
    np.testing.assert_allclose(compiled(x).detach().numpy(), model(x).detach().numpy())

    @lib.compile
    def f(a):
        return a * 2

    @lib.compile(mode="reduce-overhead")
    def g(a):
        return a + 1
    assert f(x).sum().item() == 24.0 and g(x).sum().item() == 24.0


@pytest.mark.parametrize("in_dims", [0, (0, None), (1, None)])
def test_vmap_matches_torch(in_dims):
    a = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    b = np.float32(2.0)
    outs = []
    for lib in (ember, torch):
        fn = lib.vmap(lambda x, y=None: (x * (y if y is not None else 1)).sum(), in_dims=in_dims)
        args = (lib.tensor(a),) if in_dims == 0 else (lib.tensor(a), lib.tensor(b))
        outs.append(fn(*args).numpy())
    np.testing.assert_allclose(outs[0], outs[1])


def test_inference_mode_switches_recording_off_like_no_grad():
    w = ember.ones(2, requires_grad=True)
    with ember.inference_mode():
        assert ember.is_inference_mode_enabled() and not ember.is_grad_enabled()
        assert not (w * 2).requires_grad
    with ember.inference_mode(False):
        assert (w * 2).requires_grad

    @ember.inference_mode()
    def predict(x):
        return x * w
    assert not predict(ember.ones(2)).requires_grad
    assert ember.is_grad_enabled() and not ember.is_inference_mode_enabled()


def test_printoptions_change_the_printed_precision():
    try:
        ember.set_printoptions(precision=2)
        assert repr(ember.tensor([1.23456])) == repr(torch.tensor([1.23456])).replace("torch", "ember") \
            or repr(ember.tensor([1.23456])) == "tensor([1.23])"
    finally:
        ember.set_printoptions(profile="default")
    assert repr(ember.tensor([1.23456])) == "tensor([1.2346])"


def test_get_device_module_and_default_tensor_type():
    assert ember.get_device_module("cpu") is ember.cpu
    assert ember.get_device_module("cuda:0") is ember.cuda
    try:
        with pytest.warns(UserWarning, match="deprecated"):
            ember.set_default_tensor_type(ember.DoubleTensor)
        assert ember.tensor([1.0]).dtype == ember.float64
    finally:
        ember.set_default_dtype(ember.float32)
