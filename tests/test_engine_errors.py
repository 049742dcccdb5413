"""Bad input gives clear errors naming the bad value and the expectation."""
import re

import pytest

import ember

torch = pytest.importorskip("torch")


def test_matmul_shape_error_is_torchs_message():
    msg = "mat1 and mat2 shapes cannot be multiplied (1x8 and 4x2)"
    with pytest.raises(RuntimeError, match=re.escape(msg)):
        ember.ones(1, 8) @ ember.ones(4, 2)
    with pytest.raises(RuntimeError, match=re.escape(msg)):
        torch.ones(1, 8) @ torch.ones(4, 2)


@pytest.mark.parametrize("a,b,pattern", [
    ((3, 5), (4,), r"3x5 and 4x1"),
    ((5,), (4, 2), r"1x5 and 4x2"),
    ((2, 3, 5), (4, 2), r"3x5 and 4x2.*\(2, 3, 5\).*\(4, 2\)"),
    ((3,), (4,), r"\[3\].*\[4\]"),
])
def test_matmul_shape_errors_name_both_shapes(a, b, pattern):
    with pytest.raises(RuntimeError, match=pattern):
        ember.ones(*a) @ ember.ones(*b)


@pytest.mark.parametrize("x,w", [
    (lambda: ember.tensor([[1, 2]]), lambda: ember.ones(2, 3)),
    (lambda: ember.ones(1, 2), lambda: ember.tensor([[1], [2]])),
])
def test_matmul_int_with_float_names_dtypes_and_suggests_float(x, w):
    with pytest.raises(RuntimeError, match=r"(Long and Float \(ember.int64 and ember.float32\)|Float and Long \(ember.float32 and ember.int64\)).*\.float\(\)"):
        ember.matmul(x(), w())


def test_matmul_dtype_error_matches_the_seeds_message():
    with pytest.raises(RuntimeError, match="mat1 and mat2 must have the same dtype, but got Long and Float"):
        ember.tensor([[1, 2]]) @ ember.ones(2, 3)


def test_matmul_float32_with_float64_names_both():
    with pytest.raises(RuntimeError, match=r"Float and Double \(ember.float32 and ember.float64\)"):
        ember.ones(2, 2) @ ember.ones(2, 2, dtype=ember.float64)


@pytest.mark.parametrize("op", [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b,
                                lambda a, b: a / b, lambda a, b: ember.maximum(a, b),
                                lambda a, b: ember.where(a > 0, a, b), lambda a, b: a > b,
                                lambda a, b: a ** b])
def test_broadcast_errors_name_both_shapes(op):
    with pytest.raises(RuntimeError, match=r"\(2, 3\).*\(4,\)|\(4,\).*\(2, 3\)"):
        op(ember.ones(2, 3), ember.ones(4))


@pytest.mark.parametrize("call", [
    lambda x: x.sum(3), lambda x: x.sum((0, 5)), lambda x: x.mean(-4), lambda x: x.var(3),
    lambda x: x.std(3), lambda x: x.max(3), lambda x: x.min(-4), lambda x: x.amax(3),
    lambda x: x.argmax(3), lambda x: x.prod(3), lambda x: x.logsumexp(3), lambda x: x.softmax(3),
    lambda x: x.log_softmax(-4), lambda x: x.transpose(0, 3), lambda x: x.unsqueeze(5),
    lambda x: x.squeeze(3), lambda x: x.size(3), lambda x: x.flatten(3), lambda x: x.cumsum(3),
    lambda x: ember.cat([x, x], 3), lambda x: ember.stack([x, x], 5), lambda x: x.permute(0, 1, 3),
])
def test_bad_dim_is_index_error_naming_dim_and_ndim(call):
    x = ember.ones(2, 3, 4)
    with pytest.raises(IndexError, match=r"but got -?[345]\) for a tensor with ndim=[34]"):
        call(x)


def test_bad_dim_message_matches_torch_range_wording():
    with pytest.raises(IndexError) as e:
        ember.ones(2, 3).sum(2)
    assert "expected to be in range of [-2, 1], but got 2" in str(e.value) and "ndim=2" in str(e.value)


@pytest.mark.parametrize("call,pattern", [
    (lambda: ember.ones(2, 3).reshape(5), r"shape '\[5\]' is invalid for input of size 6"),
    (lambda: ember.ones(2, 3).view(4, -1), r"invalid for input of size 6"),
    (lambda: ember.ones(3, 2).expand(3, 4), r"expanded size.*\(4\).*existing size \(2\)"),
    (lambda: ember.cat([ember.ones(2, 3), ember.ones(2, 4)]), r"\[2, 3\].*\[2, 4\]"),
    (lambda: ember.stack([ember.ones(2), ember.ones(3)]), r"\[2\].*\[3\]"),
    (lambda: ember.ones(3)[5], r"5.*size 3"),
    (lambda: ember.ones(3)[ember.tensor([0.5])], r"long, int, byte or bool"),
    (lambda: ember.ones(2, 2).t().t().T @ ember.ones(3), r"2x2 and 3x1"),
    (lambda: ember.clamp(ember.ones(2)), r"min.*max"),
    (lambda: ember.where(ember.tensor([1, 0]), ember.ones(2), ember.zeros(2)), r"bool"),
    (lambda: ember.ones(2).requires_grad_().numpy(), r"detach"),
    (lambda: ember.tensor([1, 2]).requires_grad_(), r"floating point"),
    (lambda: ember.ones(2, 3).sum().backward(), r"does not require grad"),
])
def test_other_errors(call, pattern):
    with pytest.raises((RuntimeError, IndexError, ValueError, TypeError), match=pattern):
        call()
