"""Fractional max pooling, channel shuffling, conv_tbc, torch.convolution and CrossMapLRN2d
against torch: values, indices, gradients, modules and error messages (issue 15)."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from nn_helpers import assert_same, error_of, randn, to_torch

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _both(fn_name, x, samples, *args, **kwargs):
    """``fn_name`` of each library's F on the same input and samples."""
    e = getattr(F, fn_name)(ember.tensor(x), *args, _random_samples=ember.tensor(samples), **kwargs)
    t = getattr(TF, fn_name)(torch.tensor(x), *args, _random_samples=torch.tensor(samples),
                             **kwargs)
    return e, t


# (shape, kernel, output_size, samples fill: None = uniform draws, else a constant)
FRACTIONAL = [
    ((2, 3, 9, 11), 2, (5, 7), None),
    ((2, 3, 9, 11), (3, 1), (7, 4), None),
    ((1, 2, 8, 8), 3, (6, 6), None),                # consecutive windows (stride 1)
    ((1, 2, 10, 7), 2, (2, 2), 0.0),                 # a sample of 0
    ((1, 2, 10, 7), 2, (4, 3), 0.9999999),           # the largest float32 below 1
    ((3, 7, 7), 2, (3, 3), None),                    # unbatched
    ((2, 2, 6, 7, 9), 2, (3, 4, 4), None),
    ((1, 3, 5, 8, 6), (1, 3, 2), (4, 4, 3), 0.5),
    ((2, 5, 6, 7), (2, 3, 1), (1, 2, 6), None),     # unbatched 3-D
]


@pytest.mark.parametrize("shape,kernel,out,fill", FRACTIONAL)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fractional_max_pool_values_and_indices_equal_torchs(shape, kernel, out, fill, dtype):
    dims = len(out)
    rng = np.random.default_rng(len(shape) + sum(out))
    x = rng.standard_normal(shape).astype(dtype)
    lead = shape[:2] if len(shape) == dims + 2 else (1, shape[0])
    samples = (rng.random(lead + (dims,)) if fill is None else np.full(lead + (dims,), fill))
    e, t = _both(f"fractional_max_pool{dims}d", x, samples.astype(dtype), kernel,
                 output_size=out, return_indices=True)
    np.testing.assert_array_equal(e[0].numpy(), t[0].numpy())
    assert e[0].dtype == ember.tensor(x).dtype
    np.testing.assert_array_equal(e[1].numpy(), t[1].numpy())
    assert e[1].dtype == ember.int64


@pytest.mark.parametrize("dims,ratio", [(2, (0.5, 0.7)), (3, 0.5), (2, [0.4, 0.4])])
def test_fractional_max_pool_gradient_and_ratio_equal_torchs(dims, ratio):
    shape = (2, 3) + (9, 10, 8)[:dims]
    x = randn(*shape, requires_grad=True)
    xt = to_torch(x, requires_grad=True)
    samples = np.random.default_rng(5).random((2, 3, dims)).astype(np.float32)
    name = f"fractional_max_pool{dims}d"
    # torch's F takes tuples only
    ratio_t = ratio if isinstance(ratio, (tuple, list)) else (ratio,) * dims
    y = getattr(F, name)(x, 2, output_ratio=ratio, _random_samples=ember.tensor(samples))
    yt = getattr(TF, name)(xt, 2, output_ratio=ratio_t, _random_samples=torch.tensor(samples))
    assert_same(y, yt)
    g = randn(*y.shape, seed=1)
    y.backward(g)
    yt.backward(to_torch(g))
    assert_same(x.grad, xt.grad)


def test_fractional_max_pool_draws_samples_from_embers_generator():
    x = randn(2, 3, 9, 9)
    ember.manual_seed(7)
    a = F.fractional_max_pool2d(x, 2, output_size=4)
    ember.manual_seed(7)
    samples = ember.rand(2, 3, 2)
    assert ember.equal(a, F.fractional_max_pool2d(x, 2, output_size=4, _random_samples=samples))
    pool = ember.nn.FractionalMaxPool2d(2, output_size=4).eval()
    draws = {tuple(pool(x).numpy().ravel()) for _ in range(4)}
    assert len(draws) > 1  # still random in eval mode, as in torch


FRACTIONAL_ERRORS = [
    ("fractional_max_pool2d", (2, 3, 7, 8), (2,), {}),
    ("fractional_max_pool2d", (2, 3, 7, 8), (2,), dict(output_ratio=(0.5, 0.5, 0.5))),
    # torch's 2-d function takes len() of the ratio: a plain number is a TypeError there
    ("fractional_max_pool2d", (2, 3, 7, 8), (2,), dict(output_ratio=0.5)),
    ("fractional_max_pool2d", (2, 3, 7, 8), (2,), dict(output_ratio=1)),
    ("fractional_max_pool2d", (2, 3, 7, 8), (2,), dict(output_ratio=(0.5,))),
    ("fractional_max_pool3d", (2, 3, 7, 8, 6), (2,), dict(output_ratio=[0.5, 0.5])),
    ("fractional_max_pool2d", (2, 3, 7, 8), (5,), dict(output_size=4)),
    ("fractional_max_pool2d", (2, 3, 7, 8), (2,), dict(output_size=(3, 8))),
    ("fractional_max_pool2d", (2, 3, 7, 8), ((2, 3, 4),), dict(output_size=3)),
    ("fractional_max_pool2d", (2, 3, 7, 8), (2,), dict(output_size=(3, 3, 3))),
    ("fractional_max_pool2d", (2, 0, 5, 5), (2,), dict(output_size=3)),
    ("fractional_max_pool3d", (2, 3, 7, 8, 6), (2,), dict(output_size=(6, 3, 3))),
    ("fractional_max_pool3d", (2, 3, 7, 8, 6), (2,), dict(output_size=(3, 3, 5))),
    ("fractional_max_pool3d", (2, 3, 7, 8, 6), (2,), dict(output_size=(3, 3))),
]


@pytest.mark.parametrize("name,shape,args,kwargs", FRACTIONAL_ERRORS)
def test_fractional_max_pool_errors_are_torchs(name, shape, args, kwargs):
    x = np.ones(shape, np.float32)
    mine = error_of(lambda: getattr(F, name)(ember.tensor(x), *args, **kwargs))
    assert mine[0] is not None
    assert mine == error_of(lambda: getattr(TF, name)(torch.tensor(x), *args, **kwargs))


@pytest.mark.parametrize("samples_shape,dtype", [
    ((2, 3, 3), np.float32), ((1, 3, 2), np.float32), ((2, 4, 2), np.float32),
    ((2, 3, 2), np.float64), ((2, 3, 2, 1), np.float32)])
def test_fractional_max_pool_sample_checks_are_torchs(samples_shape, dtype):
    x, u = np.ones((2, 3, 7, 8), np.float32), np.full(samples_shape, 0.5, dtype)
    mine = error_of(lambda: F.fractional_max_pool2d(ember.tensor(x), 2, output_size=3,
                                                    _random_samples=ember.tensor(u)))
    assert mine[0] is not None
    assert mine == error_of(lambda: TF.fractional_max_pool2d(torch.tensor(x), 2, output_size=3,
                                                             _random_samples=torch.tensor(u)))


@pytest.mark.parametrize("with_samples", [False, True])
def test_fractional_max_pool_refuses_integers_as_torch(with_samples):
    def run(m):
        x = m.ones(2, 2, 5, 5, dtype=m.int64)
        u = m.ones(2, 2, 2, dtype=m.int64) if with_samples else None  # None: drawn, as ints
        return m.nn.functional.fractional_max_pool2d(x, 2, output_size=3, _random_samples=u)
    mine = error_of(lambda: run(ember))
    assert mine[0] is NotImplementedError and mine == error_of(lambda: run(torch))


def test_fractional_max_pool_of_an_empty_batch():
    x = randn(0, 2, 5, 5, requires_grad=True)
    y, i = F.fractional_max_pool2d(x, 2, output_size=3, return_indices=True)
    assert y.shape == (0, 2, 3, 3) and i.shape == (0, 2, 3, 3)
    y.sum().backward()
    assert x.grad.shape == (0, 2, 5, 5)


@pytest.mark.parametrize("cls", ["FractionalMaxPool2d", "FractionalMaxPool3d"])
@pytest.mark.parametrize("args,kwargs", [((2,), {}), ((2, 3, 0.5), {}),
                                         ((2,), dict(output_ratio=1.0)),
                                         ((2,), dict(output_ratio=(0.5, 1.2, 0.5))),
                                         ((2,), dict(output_ratio=0.0))])
def test_fractional_modules_refuse_as_torch(cls, args, kwargs):
    mine = error_of(lambda: getattr(ember.nn, cls)(*args, **kwargs))
    assert mine[0] is ValueError
    assert mine == error_of(lambda: getattr(torch.nn, cls)(*args, **kwargs))


@pytest.mark.parametrize("cls,dims", [("FractionalMaxPool2d", 2), ("FractionalMaxPool3d", 3)])
def test_fractional_modules_match_torch(cls, dims):
    samples = np.random.default_rng(2).random((2, 2, dims)).astype(np.float32)
    mine = getattr(ember.nn, cls)(3, output_ratio=0.5, return_indices=True,
                                  _random_samples=ember.tensor(samples))
    theirs = getattr(torch.nn, cls)(3, output_ratio=0.5, return_indices=True,
                                    _random_samples=torch.tensor(samples))
    assert repr(mine) == repr(theirs)
    assert list(mine.state_dict()) == list(theirs.state_dict()) == ["_random_samples"]
    assert list(getattr(ember.nn, cls)(2, 3).state_dict()) == []
    assert (mine.kernel_size, mine.output_size, mine.output_ratio) == \
        (theirs.kernel_size, theirs.output_size, theirs.output_ratio)
    x = randn(*(2, 2) + (10, 9, 8)[:dims])
    (y, i), (yt, it) = mine(x), theirs(to_torch(x))
    assert_same(y, yt)
    assert_same(i, it)


# -------------------------------------------------------------------------- channel shuffle
@pytest.mark.parametrize("groups,shape", [(0, (1, 6, 2)), (-1, (1, 6, 2)), (4, (1, 6, 2)),
                                          (2, (6,)), (2, (2, 6))])
@pytest.mark.parametrize("name", ["channel_shuffle", "native_channel_shuffle"])
def test_channel_shuffle_errors_are_torchs(name, groups, shape):
    x = np.ones(shape, np.float32)
    mine = error_of(lambda: getattr(F, name)(ember.tensor(x), groups))
    assert mine[0] is not None
    assert mine == error_of(lambda: getattr(TF, name)(torch.tensor(x), groups))


@pytest.mark.parametrize("groups", [1, 2, 3, 6])
def test_channel_shuffle_of_integers_and_module_match_torch(groups):
    x = np.arange(2 * 6 * 2).reshape(2, 6, 2)
    assert_same(ember.native_channel_shuffle(ember.tensor(x), groups),
                torch.native_channel_shuffle(torch.tensor(x), groups))
    mine, theirs = ember.nn.ChannelShuffle(groups), torch.nn.ChannelShuffle(groups)
    assert repr(mine) == repr(theirs)
    assert_same(mine(ember.tensor(x)), theirs(torch.tensor(x)))


# ------------------------------------------------------------- conv_tbc, torch.convolution
def _arr(*shape):
    return np.random.default_rng(sum(shape)).standard_normal(shape).astype(np.float32)


TBC_ERRORS = [
    ((7, 2), (3, 3, 4), (4,), 0), ((7, 2, 3), (3, 4), (4,), 0), ((7, 2, 3), (3, 3, 4), (4, 1), 0),
    ((7, 2, 3), (3, 5, 4), (4,), 0), ((7, 2, 3), (3, 3, 4), (5,), 0),
    ((7, 2, 3), (3, 3, 4), None, 0),
    ((1, 2, 3), (3, 3, 4), (4,), -1), ((1, 2, 3), (3, 3, 4), (4,), 0),
]


@pytest.mark.parametrize("steps,kernel,pad", [(2, 3, 0), (2, 5, 1), (4, 3, -1)])
def test_conv_tbc_at_the_edges_matches_torch(steps, kernel, pad):
    x = randn(steps, 2, 3, requires_grad=True)
    w, b = randn(kernel, 3, 4, seed=1, requires_grad=True), randn(4, seed=2, requires_grad=True)
    ts = [to_torch(t, requires_grad=True) for t in (x, w, b)]
    y, yt = F.conv_tbc(x, w, b, pad), TF.conv_tbc(*ts, pad)
    assert_same(y, yt)
    y.sum().backward()
    yt.sum().backward()
    for e, t in zip((x, w, b), ts):
        assert_same(e.grad, t.grad)


@pytest.mark.parametrize("x,w,b,pad", TBC_ERRORS)
def test_conv_tbc_errors_are_torchs(x, w, b, pad):
    def run(m):
        return m.conv_tbc(m.tensor(_arr(*x)), m.tensor(_arr(*w)),
                          None if b is None else m.tensor(_arr(*b)), pad)
    mine = error_of(lambda: run(ember))
    assert mine[0] is not None
    assert mine == error_of(lambda: run(torch))


@pytest.mark.parametrize("x,w,transposed,groups,output_padding", [
    ((1, 2, 5, 5), (3, 2, 3, 3), False, 2, [0, 0]),
    ((2, 5, 5), (3, 2, 3, 3), False, 1, [0, 0]),
    ((1, 2, 5, 5), (2, 3, 3, 3), True, 1, [3, 3]),
])
def test_convolution_errors_are_torchs(x, w, transposed, groups, output_padding):
    def run(m):
        return m.convolution(m.tensor(_arr(*x)), m.tensor(_arr(*w)), None, [1, 1], [0, 0],
                             [1, 1], transposed, output_padding, groups)
    mine = error_of(lambda: run(ember))
    assert mine[0] is not None
    assert mine == error_of(lambda: run(torch))


# --------------------------------------------------------------------------- CrossMapLRN2d
@pytest.mark.parametrize("channels", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("size,alpha,beta,k", [(1, 1e-4, 0.75, 1), (2, 0.5, 0.75, 1.5),
                                              (3, 0.3, 0.5, 2.0), (4, 1.0, 1.0, 1.0),
                                              (5, 0.5, 0.75, 1.0)])
def test_cross_map_lrn2d_values_equal_torchs(channels, size, alpha, beta, k):
    x = randn(2, channels, 3, 4)
    y = ember.nn.CrossMapLRN2d(size, alpha, beta, k)(x)
    assert_same(y, torch.nn.CrossMapLRN2d(size, alpha, beta, k)(to_torch(x)))


@pytest.mark.parametrize("channels,size", [(2, 3), (6, 3), (8, 4), (5, 5)])
def test_cross_map_lrn2d_gradient_is_the_gradient_of_its_values(channels, size):
    """ember's gradient is its forward's (a composite); torch's hand-written backward sums the
    window one or more channels lower (its padded ratio starts at int(size - (size - 1) / 2)),
    so torch fails its own gradcheck here."""
    x = randn(1, channels, 2, 3, dtype=np.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: ember.nn.CrossMapLRN2d(size, 0.5, 0.75, 1.5)(t),
                                    [x], eps=1e-6, atol=1e-5)
    assert not torch.autograd.gradcheck(torch.nn.CrossMapLRN2d(size, 0.5, 0.75, 1.5),
                                        (to_torch(x, requires_grad=True),), raise_exception=False)


def test_cross_map_lrn2d_module_is_torchs():
    mine, theirs = ember.nn.CrossMapLRN2d(3), torch.nn.CrossMapLRN2d(3)
    assert repr(mine) == repr(theirs)
    assert list(mine.state_dict()) == []
    x = np.ones((2, 3, 4), np.float32)
    err = error_of(lambda: mine(ember.tensor(x)))
    assert err[0] is ValueError and err == error_of(lambda: theirs(torch.tensor(x)))
