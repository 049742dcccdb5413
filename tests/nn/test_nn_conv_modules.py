"""The convolution, pooling, normalisation, padding and resampling modules against torch's:
the same weights give the same outputs, input gradients and parameter gradients; names,
``repr``, parameter shapes and ``state_dict`` keys match; initialisation follows torch's
``reset_parameters`` bounds."""
import math
import re

import numpy as np
import pytest

import ember
import ember.nn as nn
from nn_helpers import assert_same, copy_state, randn, to_torch

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")

# (class name, args, kwargs, input shape)
MODULES = [
    ("Conv2d", (1, 6, 5), {"padding": 2}, (4, 1, 12, 12)),
    ("Conv2d", (3, 4, (3, 2)), {"stride": 2, "padding": 1, "dilation": (1, 2)}, (2, 3, 9, 8)),
    ("Conv2d", (4, 6, 3), {"groups": 2, "bias": False}, (2, 4, 6, 6)),
    ("Conv2d", (3, 6, 3), {"groups": 3, "padding": "same"}, (2, 3, 5, 5)),
    ("Conv2d", (2, 3, 4), {"padding": "same"}, (2, 2, 6, 6)),
    ("Conv2d", (2, 3, 3), {"padding": "valid"}, (2, 2, 6, 6)),
    ("Conv2d", (2, 3, 3), {"padding": 1, "padding_mode": "reflect"}, (2, 2, 5, 5)),
    ("Conv2d", (2, 3, 3), {"padding": (1, 2), "padding_mode": "replicate"}, (2, 2, 5, 5)),
    ("Conv2d", (2, 3, 3), {"padding": 1, "padding_mode": "circular"}, (2, 2, 5, 5)),
    ("Conv2d", (2, 3, 3), {}, (2, 5, 5)),
    ("Conv1d", (3, 5, 3), {}, (2, 3, 10)),
    ("Conv1d", (4, 4, 5), {"stride": 2, "padding": 2, "groups": 4}, (2, 4, 11)),
    ("Conv1d", (2, 3, 4), {"padding": "same", "dilation": 2, "padding_mode": "reflect"}, (2, 2, 12)),
    ("ConvTranspose2d", (3, 2, 3), {}, (2, 3, 4, 4)),
    ("ConvTranspose2d", (4, 6, 2), {"stride": 2, "groups": 2, "bias": False}, (1, 4, 3, 3)),
    ("ConvTranspose2d", (2, 2, 3), {"stride": 2, "padding": 1, "output_padding": 1, "dilation": 1},
     (1, 2, 4, 4)),
    ("Conv3d", (2, 4, 3), {"padding": 1}, (2, 2, 4, 5, 5)),
    ("Conv3d", (4, 6, (2, 3, 1)), {"stride": (1, 2, 1), "groups": 2, "bias": False}, (1, 4, 4, 6, 3)),
    ("Conv3d", (2, 3, 3), {"padding": "same", "dilation": (1, 2, 1), "padding_mode": "replicate"},
     (1, 2, 4, 6, 4)),
    ("Conv3d", (2, 3, 2), {}, (2, 3, 3, 3)),
    ("ConvTranspose1d", (3, 2, 3), {"stride": 2, "padding": 1, "output_padding": 1}, (2, 3, 5)),
    ("ConvTranspose1d", (4, 6, 2), {"groups": 2, "dilation": 2, "bias": False}, (4, 6)),
    ("ConvTranspose3d", (3, 2, 2), {"stride": 2}, (2, 3, 2, 3, 3)),
    ("ConvTranspose3d", (2, 4, 3), {"stride": (1, 2, 2), "padding": 1, "output_padding": (0, 1, 1),
                                    "groups": 2}, (1, 2, 2, 3, 3)),
    ("MaxPool3d", (2,), {}, (2, 3, 4, 6, 6)),
    ("MaxPool3d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True}, (1, 2, 5, 6, 6)),
    ("AvgPool3d", (2,), {"stride": 1}, (2, 3, 3, 4, 4)),
    ("AvgPool3d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, (1, 2, 5, 5, 5)),
    ("AdaptiveAvgPool3d", ((2, 3, None),), {}, (2, 3, 5, 7, 4)),
    ("AdaptiveAvgPool3d", (1,), {}, (2, 3, 3, 3, 3)),
    ("AdaptiveMaxPool3d", ((2, 2, 3),), {}, (2, 3, 5, 4, 7)),
    ("BatchNorm3d", (3,), {}, (4, 3, 2, 3, 3)),
    ("BatchNorm3d", (3,), {"affine": False, "track_running_stats": False}, (2, 3, 2, 2, 2)),
    ("InstanceNorm1d", (3,), {}, (2, 3, 6)),
    ("InstanceNorm1d", (3,), {"affine": True, "track_running_stats": True}, (3, 5)),
    ("InstanceNorm2d", (3,), {"affine": True, "eps": 1e-3}, (2, 3, 4, 5)),
    ("InstanceNorm2d", (3,), {"track_running_stats": True, "momentum": None}, (2, 3, 4, 4)),
    ("InstanceNorm3d", (2,), {"affine": True, "track_running_stats": True, "momentum": 0.3},
     (2, 2, 2, 3, 3)),
    ("LocalResponseNorm", (3,), {}, (2, 6, 4, 4)),
    ("LocalResponseNorm", (2,), {"alpha": 0.1, "beta": 0.5, "k": 2.0}, (2, 5, 7)),
    ("PixelShuffle", (2,), {}, (2, 8, 3, 3)),
    ("PixelUnshuffle", (3,), {}, (2, 2, 6, 3)),
    ("LPPool1d", (2, 3), {"stride": 2}, (2, 3, 9)),
    ("LPPool2d", (3, (2, 3)), {"ceil_mode": True}, (2, 3, 5, 7)),
    ("LPPool3d", (1.5, 2), {}, (1, 2, 4, 4, 4)),
    ("ReflectionPad3d", ((1, 0, 2, 1, 0, 1),), {}, (1, 2, 3, 4, 3)),
    ("ReplicationPad3d", (2,), {}, (2, 2, 2, 3)),
    ("CircularPad3d", (1,), {}, (1, 2, 2, 3, 3)),
    ("MaxPool2d", (2,), {}, (2, 3, 6, 6)),
    ("MaxPool2d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True}, (2, 3, 6, 6)),
    ("MaxPool2d", ((2, 3),), {"stride": 1, "dilation": 2}, (1, 2, 7, 7)),
    ("MaxPool1d", (3,), {"stride": 2, "padding": 1}, (2, 3, 9)),
    ("AvgPool2d", (2,), {}, (2, 3, 6, 6)),
    ("AvgPool2d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, (2, 3, 7, 7)),
    ("AvgPool2d", (3,), {"stride": 2, "ceil_mode": True, "divisor_override": 4}, (1, 2, 6, 6)),
    ("AvgPool1d", (4,), {"stride": 3, "padding": 2}, (2, 3, 10)),
    ("AdaptiveAvgPool2d", ((2, 3),), {}, (2, 3, 7, 8)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 5, 5)),
    ("AdaptiveAvgPool2d", ((None, 2),), {}, (2, 3, 5, 5)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 9)),
    ("AdaptiveMaxPool2d", ((3, 2),), {}, (2, 3, 7, 5)),
    ("AdaptiveMaxPool1d", (2,), {}, (2, 3, 7)),
    ("BatchNorm2d", (3,), {}, (4, 3, 5, 5)),
    ("BatchNorm2d", (3,), {"affine": False, "momentum": None}, (4, 3, 2, 2)),
    ("BatchNorm1d", (3,), {}, (4, 3, 6)),
    ("GroupNorm", (2, 4), {}, (3, 4, 3, 3)),
    ("GroupNorm", (3, 6), {"eps": 1e-3, "affine": False}, (2, 6, 5)),
    ("GroupNorm", (1, 3), {}, (2, 3, 2, 2)),
    ("Upsample", (), {"scale_factor": 2}, (2, 3, 3, 4)),
    ("Upsample", (), {"size": (5, 7), "mode": "bilinear"}, (1, 2, 3, 4)),
    ("Upsample", (), {"scale_factor": 1.5, "mode": "bilinear", "align_corners": True}, (1, 2, 4, 4)),
    ("Upsample", (), {"size": 9, "mode": "linear"}, (2, 2, 5)),
    ("UpsamplingNearest2d", (), {"scale_factor": 3}, (1, 2, 2, 3)),
    ("UpsamplingBilinear2d", (), {"size": (4, 5)}, (1, 2, 3, 3)),
    ("ZeroPad2d", (1,), {}, (2, 3, 4, 4)),
    ("ZeroPad2d", ((1, 2, 0, 3),), {}, (2, 3, 4, 4)),
    ("ConstantPad1d", ((2, 1), 0.5), {}, (2, 3, 4)),
    ("ReflectionPad2d", (2,), {}, (1, 2, 4, 4)),
    ("ReflectionPad1d", ((1, 3),), {}, (2, 2, 5)),
    ("ReplicationPad2d", ((1, 0, 2, 1),), {}, (1, 2, 3, 3)),
    ("CircularPad1d", (2,), {}, (2, 2, 4)),
    ("Unflatten", (1, (2, 6)), {}, (3, 12)),
    ("Unfold", ((2, 3),), {"padding": 1, "stride": (1, 2)}, (2, 3, 4, 5)),
    ("Fold", ((4, 5), 2), {"stride": 1}, (2, 8, 12)),
    ("Unflatten", (1, (4, -1)), {}, (3, 12)),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(MODULES)]


def _pair(name, args, kwargs, dtype):
    em = getattr(nn, name)(*args, **kwargs)
    tm = getattr(torch.nn, name)(*args, **kwargs)
    if dtype == np.float64:
        em.double(), tm.double()
    rng = np.random.default_rng(0)
    for p in em.parameters():  # non-trivial values even where torch starts at ones/zeros
        p._data[...] = rng.uniform(0.5, 1.5, p.shape)
    copy_state(em, tm)
    return em, tm


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,args,kwargs,shape", MODULES, ids=IDS)
def test_module_matches_torch(name, args, kwargs, shape, dtype):
    em, tm = _pair(name, args, kwargs, dtype)
    assert repr(em) == repr(tm) and type(em).__module__ == "ember" + type(tm).__module__[5:]
    assert list(em.state_dict()) == list(tm.state_dict())
    assert [tuple(p.shape) for p in em.parameters()] == [tuple(p.shape) for p in tm.parameters()]
    tol = {"rtol": 2e-4, "atol": 2e-5} if dtype == np.float32 else {"rtol": 1e-9, "atol": 1e-10}
    for step in range(2):                     # a second step checks running statistics too
        x = randn(*shape, dtype=dtype, seed=step, requires_grad=True)
        xt = to_torch(x, requires_grad=True)
        out, ref = em(x), tm(xt)
        assert_same(out, ref, **tol)
        g = randn(*out.shape, dtype=dtype, seed=10 + step)
        out.backward(g)
        ref.backward(to_torch(g))
        assert_same(x.grad, xt.grad, **tol)
        for (n, p), (_, pt) in zip(em.named_parameters(), tm.named_parameters()):
            assert_same(p.grad, pt.grad, **tol)
        for (n, b), (_, bt) in zip(em.named_buffers(), tm.named_buffers()):
            assert_same(b, bt, **tol)


@pytest.mark.parametrize("name,args,kwargs", [
    ("Conv2d", (3, 8, 5), {}),
    ("Conv2d", (4, 8, (3, 2)), {"groups": 2}),
    ("Conv1d", (6, 10, 7), {}),
    ("ConvTranspose2d", (6, 4, 3), {}),
    ("ConvTranspose2d", (4, 6, 2), {"groups": 2}),
    ("Conv3d", (3, 8, 3), {}),
    ("ConvTranspose1d", (6, 4, 5), {}),
    ("ConvTranspose3d", (4, 6, 2), {"groups": 2}),
])
def test_initialisation_follows_torch_reset_parameters(name, args, kwargs):
    """kaiming_uniform_(a=√5) gives U(±1/√fan_in) for the weight; the bias is U(±1/√fan_in),
    with torch's fan_in (for ConvTranspose2d: weight.size(1) · kernel area)."""
    ember.manual_seed(0)
    em, tm = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    fan_in = tm.weight.shape[1] * math.prod(tm.weight.shape[2:])
    bound = 1 / math.sqrt(fan_in)
    for p in (em.weight, em.bias):
        a = p.detach().numpy()
        assert p.dtype == ember.float32
        assert np.abs(a).max() <= bound
        assert np.abs(a).max() > 0.5 * bound          # spread over the interval, not a constant
    w = em.weight.detach().numpy().ravel()
    assert abs(w.mean()) < 0.2 * bound and abs(w.var() / (bound ** 2 / 3) - 1) < 0.3
    ember.manual_seed(0)
    again = getattr(nn, name)(*args, **kwargs)
    np.testing.assert_array_equal(again.weight.detach().numpy(), em.weight.detach().numpy())  # the global generator


def test_lenet_matches_torch_over_adam_steps():
    """A LeNet-5 built from the same weights follows torch's loss for several Adam steps."""
    def build(m):
        return m.nn.Sequential(
            m.nn.Conv2d(1, 6, 5, padding=2), m.nn.ReLU(), m.nn.MaxPool2d(2),
            m.nn.Conv2d(6, 16, 5), m.nn.ReLU(), m.nn.MaxPool2d(2), m.nn.Flatten(),
            m.nn.Linear(400, 120), m.nn.ReLU(), m.nn.Linear(120, 84), m.nn.ReLU(),
            m.nn.Linear(84, 10))
    em, tm = build(ember), build(torch)
    copy_state(em, tm)
    eo, to = ember.optim.Adam(em.parameters(), 1e-3), torch.optim.Adam(tm.parameters(), 1e-3)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((16, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, 16)
    for _ in range(5):
        eo.zero_grad(), to.zero_grad()
        le = ember.nn.functional.cross_entropy(em(ember.tensor(x)), ember.tensor(y))
        lt = torch.nn.functional.cross_entropy(tm(torch.tensor(x)), torch.tensor(y))
        le.backward(), lt.backward()
        eo.step(), to.step()
        assert abs(le.item() - lt.item()) < 1e-4
    for (n, p), (_, pt) in zip(em.named_parameters(), tm.named_parameters()):
        np.testing.assert_allclose(p.detach().numpy(), pt.detach().numpy(), rtol=1e-3, atol=1e-5,
                                   err_msg=n)


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_conv_transpose_output_size_picks_output_padding(dims):
    cls = f"ConvTranspose{dims}d"
    em, tm = getattr(nn, cls)(4, 6, 3, stride=2), getattr(torch.nn, cls)(4, 6, 3, stride=2)
    copy_state(em, tm)
    x = randn(1, 4, *(5,) * dims)
    out, ref = em(x, output_size=(12,) * dims), tm(to_torch(x), output_size=(12,) * dims)
    assert_same(out, ref, rtol=1e-5, atol=1e-6)
    message = (f"requested an output size of {(14,) * dims}, but valid sizes range from "
               f"{[11] * dims} to {[12] * dims}")
    with pytest.raises(ValueError, match=re.escape(message)):
        em(x, output_size=(14,) * dims)


@pytest.mark.parametrize("return_indices_of", ["max_pool2d", "max_pool1d", "adaptive_max_pool2d",
                                               "max_pool3d", "adaptive_max_pool3d"])
def test_pool_indices_match_torch(return_indices_of):
    shape = {"1d": (2, 3, 7), "2d": (2, 3, 7, 6), "3d": (2, 3, 5, 7, 6)}[return_indices_of[-2:]]
    args = (3,) if return_indices_of.startswith("max") else ((3, 2, 4)[:len(shape) - 2],)
    kwargs = {"stride": 2, "padding": 1, "ceil_mode": True} if return_indices_of.startswith("max") \
        else {}
    x = randn(*shape, seed=4)
    fe = getattr(ember.nn.functional, return_indices_of)
    ft = getattr(torch.nn.functional, return_indices_of)
    (out, idx), (ref, ridx) = fe(x, *args, return_indices=True, **kwargs), \
        ft(to_torch(x), *args, return_indices=True, **kwargs)
    assert_same(out, ref)
    assert idx.dtype == ember.int64
    np.testing.assert_array_equal(idx.numpy(), ridx.numpy())


@pytest.mark.parametrize("dims,kwargs,output_size", [
    (1, {"kernel_size": 2}, (7,)),
    (1, {"kernel_size": 3, "stride": 3, "padding": 1}, (6,)),
    (2, {"kernel_size": 2}, (7, 5)),
    (2, {"kernel_size": (2, 3), "stride": 2}, None),
    (3, {"kernel_size": 2}, (1, 2, 5, 4, 5)),
])
def test_max_unpool_modules_match_torch(dims, kwargs, output_size):
    """MaxPoolNd(return_indices=True) then MaxUnpoolNd: values, repr and the input gradient."""
    shape = (2, 3) + (6, 5, 4)[:dims] if dims < 3 else (1, 2, 4, 4, 5)
    x = randn(*shape, seed=dims, requires_grad=True)
    xt = to_torch(x, requires_grad=True)
    pool = [getattr(m.nn, f"MaxPool{dims}d")(**kwargs, return_indices=True) for m in (ember, torch)]
    unpool = [getattr(m.nn, f"MaxUnpool{dims}d")(**kwargs) for m in (ember, torch)]
    assert repr(unpool[0]) == repr(unpool[1])
    out = unpool[0](*pool[0](x), output_size=output_size)
    ref = unpool[1](*pool[1](xt), output_size=output_size)
    assert_same(out, ref)
    assert out.grad_fn.name() == ref.grad_fn.name() or dims == 1
    g = randn(*out.shape, seed=9)
    out.backward(g)
    ref.backward(to_torch(g))
    assert_same(x.grad, xt.grad)


def test_instance_norm_warns_and_refuses_like_torch():
    with pytest.warns(UserWarning, match="input's size at dim=1 does not match num_features"):
        nn.InstanceNorm2d(3)(ember.zeros(2, 4, 3, 3))
    with pytest.raises(ValueError, match=re.escape("expected input's size at dim=0 to match "
                                                   "num_features (3), but got: 4.")):
        nn.InstanceNorm2d(3, affine=True)(ember.zeros(4, 3, 3))
    with pytest.raises(ValueError, match=re.escape("expected 3D or 4D input (got 5D input)")):
        nn.InstanceNorm2d(3)(ember.zeros(1, 3, 2, 2, 2))


def test_max_pool_nan_and_ties_like_torch():
    """A NaN wins its window (the last NaN's index); among ties the first maximum is taken."""
    a = np.array([[[[1.0, np.nan, 3.0, 3.0], [np.nan, 2.0, 3.0, 3.0]]]], np.float32)
    x, xt = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    (out, idx), (ref, ridx) = ember.nn.functional.max_pool2d(x, 2, return_indices=True), \
        torch.nn.functional.max_pool2d(xt, 2, return_indices=True)
    np.testing.assert_array_equal(out.detach().numpy(), ref.detach().numpy())
    np.testing.assert_array_equal(idx.numpy(), ridx.numpy())
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[..., 2:], xt.grad.numpy()[..., 2:])


@pytest.mark.parametrize("cls", ["Dropout2d", "Dropout1d", "Dropout3d"])
@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_channel_dropout_drops_whole_channels(p, cls):
    ember.manual_seed(1)
    d = getattr(nn, cls)(p)
    spatial = {"Dropout1d": (9,), "Dropout2d": (3, 3), "Dropout3d": (3, 1, 3)}[cls]
    x = ember.ones(64, 16, *spatial, requires_grad=True)
    y = d(x)
    per_map = y.detach().numpy().reshape(64, 16, 9)
    assert np.all((per_map == per_map[..., :1]))            # one decision per feature map
    kept = per_map[..., 0] != 0
    if 0 < p < 1:
        assert abs(kept.mean() - (1 - p)) < 0.05
        np.testing.assert_allclose(per_map[kept], 1 / (1 - p), rtol=1e-6)
    else:
        assert kept.all() == (p == 0) and kept.any() == (p == 0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())  # d(sum)/dx is the scaled mask
    if p > 0:
        assert y.grad_fn.name() == "MulBackward0"
    d.eval()
    assert d(x) is x


def test_conv_output_layout_is_channel_major_but_behaves_like_torch():
    """Convolution outputs are channel-major in memory; reshape/view/flatten/numpy see torch's
    values all the same."""
    conv = nn.Conv2d(2, 3, 3)
    tconv = torch.nn.Conv2d(2, 3, 3)
    copy_state(conv, tconv)
    x = randn(4, 2, 5, 5)
    y, ref = conv(x).detach(), tconv(to_torch(x)).detach()
    np.testing.assert_allclose(y.view(4, -1).numpy(), ref.view(4, -1).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y.flatten(1).numpy(), ref.flatten(1).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y.contiguous().numpy(), ref.numpy(), rtol=1e-5, atol=1e-6)


# (lazy class, args, kwargs, input shape)
LAZY = [
    ("LazyConv1d", (4, 3), {"stride": 2}, (2, 3, 9)),
    ("LazyConv2d", (4, 3), {"padding": 1, "groups": 2}, (2, 6, 5, 5)),
    ("LazyConv2d", (3, 2), {"bias": False}, (2, 5, 5)),
    ("LazyConv3d", (2, 2), {}, (1, 3, 3, 3, 3)),
    ("LazyConvTranspose1d", (2, 3), {"stride": 2, "output_padding": 1}, (2, 4, 5)),
    ("LazyConvTranspose2d", (4, 2), {"stride": 2, "groups": 2}, (1, 4, 3, 3)),
    ("LazyConvTranspose3d", (2, 2), {}, (1, 3, 2, 2, 2)),
    ("LazyBatchNorm1d", (), {}, (4, 3)),
    ("LazyBatchNorm2d", (), {"momentum": None}, (4, 3, 2, 2)),
    ("LazyBatchNorm3d", (), {"affine": False}, (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), {}, (2, 3, 5)),
    ("LazyInstanceNorm2d", (), {"track_running_stats": False}, (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", (), {"affine": False}, (1, 2, 2, 3, 3)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", LAZY, ids=[f"{c[0]}-{i}" for i, c in enumerate(LAZY)])
def test_lazy_module_infers_its_size_like_torch(name, args, kwargs, shape):
    """Before the first call: torch's repr; the first call sets the size, initialises like
    torch and turns the module into torch's ``cls_to_become``; then, from the same state, the
    same outputs and gradients. An optimizer made before the first call trains the filled
    parameters (they are the same objects)."""
    ember.manual_seed(0)
    em, tm = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(em) == repr(tm) and em.has_uninitialized_params()
    assert list(em.state_dict()) == list(tm.state_dict())
    params = list(em.parameters())
    opt = ember.optim.SGD(params, lr=0.1) if params else None
    x = randn(*shape, seed=1)
    em(x), tm(to_torch(x))
    assert type(em).__name__ == type(tm).__name__ and repr(em) == repr(tm)
    assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    for p, pt in zip(em.parameters(), tm.parameters()):
        assert p.dtype == ember.float32
        bound = np.abs(pt.detach().numpy()).max() + 1e-6   # torch's init interval (or its constant)
        assert np.abs(p.detach().numpy()).max() <= max(bound, 1 / math.sqrt(max(p.shape[0], 1)))
    copy_state(em, tm)
    x2 = randn(*shape, seed=2, requires_grad=True)
    xt = to_torch(x2, requires_grad=True)
    out, ref = em(x2), tm(xt)
    assert_same(out, ref, rtol=2e-4, atol=2e-5)
    g = randn(*out.shape, seed=3)
    out.backward(g)
    ref.backward(to_torch(g))
    assert_same(x2.grad, xt.grad, rtol=2e-4, atol=2e-5)
    if opt is not None:
        before = [p.detach().numpy().copy() for p in params]
        opt.step()
        assert all(p.shape == b.shape and not np.array_equal(p.detach().numpy(), b)
                   for p, b in zip(params, before))
