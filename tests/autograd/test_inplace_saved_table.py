"""Which in-place changes break backward, op by op and module by module, against torch.

Each row runs "forward, change one tensor in place (the input, the output or the first weight),
backward" in ember and in torch: both must raise torch's in-place error with the same versions, or
both must succeed with the same gradients. Every module of ``ember.nn`` that keeps something for
backward has rows here, and so do the functional ops that keep their input or their output: ember
often keeps a derived copy (im2col columns, a normalised input, a mask, argmax offsets) where torch
keeps the tensor itself, and it must raise exactly where torch raises (``Function.SAVES``)."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _modules(m):
    """(name, module factory, input shape, call): every ember.nn module that saves tensors."""
    nn = m.nn
    attend = lambda mod, x: mod(x, x, x)[0]  # noqa: E731
    return [
        ("Linear", lambda: nn.Linear(4, 3), (2, 4), None),
        ("Linear_3d", lambda: nn.Linear(4, 3), (2, 5, 4), None),
        ("Bilinear", lambda: nn.Bilinear(4, 4, 3), (2, 4), lambda mod, x: mod(x, x * 1)),
        ("Conv1d", lambda: nn.Conv1d(2, 3, 3), (2, 2, 6), None),
        ("Conv2d", lambda: nn.Conv2d(2, 3, 3, padding=1), (2, 2, 5, 5), None),
        ("Conv2d_frozen", lambda: nn.Conv2d(2, 3, 3).requires_grad_(False), (1, 2, 4, 4), None),
        ("ConvTranspose2d", lambda: nn.ConvTranspose2d(2, 3, 3), (2, 2, 4, 4), None),
        ("Embedding", lambda: nn.Embedding(6, 3), None, None),
        ("BatchNorm1d", lambda: nn.BatchNorm1d(4), (5, 4), None),
        ("BatchNorm2d", lambda: nn.BatchNorm2d(2), (3, 2, 3, 3), None),
        ("BatchNorm1d_eval", lambda: nn.BatchNorm1d(4).eval(), (5, 4), None),
        ("BatchNorm1d_no_affine", lambda: nn.BatchNorm1d(4, affine=False), (5, 4), None),
        ("LayerNorm", lambda: nn.LayerNorm(4), (3, 4), None),
        ("GroupNorm", lambda: nn.GroupNorm(2, 4), (3, 4, 5), None),
        ("RMSNorm", lambda: nn.RMSNorm(4), (3, 4), None),
        ("ReLU", lambda: nn.ReLU(), (3, 4), None),
        ("ReLU6", lambda: nn.ReLU6(), (3, 4), None),
        ("LeakyReLU", lambda: nn.LeakyReLU(0.1), (3, 4), None),
        ("ELU", lambda: nn.ELU(), (3, 4), None),
        ("CELU", lambda: nn.CELU(), (3, 4), None),
        ("SELU", lambda: nn.SELU(), (3, 4), None),
        ("GELU", lambda: nn.GELU(), (3, 4), None),
        ("GELU_tanh", lambda: nn.GELU(approximate="tanh"), (3, 4), None),
        ("SiLU", lambda: nn.SiLU(), (3, 4), None),
        ("Mish", lambda: nn.Mish(), (3, 4), None),
        ("Sigmoid", lambda: nn.Sigmoid(), (3, 4), None),
        ("Tanh", lambda: nn.Tanh(), (3, 4), None),
        ("Hardtanh", lambda: nn.Hardtanh(), (3, 4), None),
        ("Hardsigmoid", lambda: nn.Hardsigmoid(), (3, 4), None),
        ("Hardswish", lambda: nn.Hardswish(), (3, 4), None),
        ("Hardshrink", lambda: nn.Hardshrink(), (3, 4), None),
        ("Softshrink", lambda: nn.Softshrink(), (3, 4), None),
        ("Tanhshrink", lambda: nn.Tanhshrink(), (3, 4), None),
        ("Softsign", lambda: nn.Softsign(), (3, 4), None),
        ("Softplus", lambda: nn.Softplus(), (3, 4), None),
        ("LogSigmoid", lambda: nn.LogSigmoid(), (3, 4), None),
        ("Threshold", lambda: nn.Threshold(0.1, 0.0), (3, 4), None),
        ("PReLU", lambda: nn.PReLU(), (3, 4), None),
        ("RReLU_eval", lambda: nn.RReLU().eval(), (3, 4), None),
        ("GLU", lambda: nn.GLU(), (3, 4), None),
        ("Softmax", lambda: nn.Softmax(dim=1), (3, 4), None),
        ("Softmin", lambda: nn.Softmin(dim=1), (3, 4), None),
        ("LogSoftmax", lambda: nn.LogSoftmax(dim=1), (3, 4), None),
        ("Softmax2d", lambda: nn.Softmax2d(), (2, 3, 2, 2), None),
        ("MaxPool1d", lambda: nn.MaxPool1d(2), (2, 2, 6), None),
        ("MaxPool2d", lambda: nn.MaxPool2d(2), (2, 2, 4, 4), None),
        ("AvgPool1d", lambda: nn.AvgPool1d(2), (2, 2, 6), None),
        ("AvgPool2d", lambda: nn.AvgPool2d(2), (2, 2, 4, 4), None),
        ("AdaptiveAvgPool1d", lambda: nn.AdaptiveAvgPool1d(2), (2, 2, 5), None),
        ("AdaptiveAvgPool2d", lambda: nn.AdaptiveAvgPool2d(2), (2, 2, 5, 5), None),
        ("AdaptiveMaxPool1d", lambda: nn.AdaptiveMaxPool1d(2), (2, 2, 5), None),
        ("AdaptiveMaxPool2d", lambda: nn.AdaptiveMaxPool2d(2), (2, 2, 5, 5), None),
        ("RNN", lambda: nn.RNN(4, 3), (5, 2, 4), None),
        ("RNN_batch_first", lambda: nn.RNN(4, 3, batch_first=True), (2, 5, 4), None),
        ("RNN_frozen", lambda: nn.RNN(4, 3).requires_grad_(False), (5, 2, 4), None),
        ("GRU", lambda: nn.GRU(4, 3), (5, 2, 4), None),
        ("GRU_batch_first", lambda: nn.GRU(4, 3, batch_first=True), (2, 5, 4), None),
        ("GRU_frozen", lambda: nn.GRU(4, 3).requires_grad_(False), (5, 2, 4), None),
        ("LSTM", lambda: nn.LSTM(4, 3), (5, 2, 4), None),
        ("LSTM_batch_first", lambda: nn.LSTM(4, 3, batch_first=True), (2, 5, 4), None),
        ("LSTM_frozen", lambda: nn.LSTM(4, 3).requires_grad_(False), (5, 2, 4), None),
        ("RNNCell", lambda: nn.RNNCell(4, 3), (2, 4), None),
        ("LSTMCell", lambda: nn.LSTMCell(4, 3), (2, 4), None),
        ("GRUCell", lambda: nn.GRUCell(4, 3), (2, 4), None),
        ("MultiheadAttention", lambda: nn.MultiheadAttention(4, 2), (3, 2, 4), attend),
        ("MultiheadAttention_batch_first", lambda: nn.MultiheadAttention(4, 2, batch_first=True),
         (2, 3, 4), attend),
        ("TransformerEncoderLayer", lambda: nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0),
         (3, 2, 4), None),
        ("TransformerEncoderLayer_batch_first",
         lambda: nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True), (2, 3, 4), None),
        ("Upsample_nearest", lambda: nn.Upsample(scale_factor=2), (1, 2, 3, 3), None),
        ("UpsamplingBilinear2d", lambda: nn.UpsamplingBilinear2d(scale_factor=2), (1, 2, 3, 3), None),
        ("Unfold", lambda: nn.Unfold(2), (1, 2, 3, 3), None),
        ("Fold", lambda: nn.Fold((3, 3), 2), (1, 8, 4), None),
        ("ReflectionPad1d", lambda: nn.ReflectionPad1d(1), (1, 2, 4), None),
        ("ReplicationPad2d", lambda: nn.ReplicationPad2d(1), (1, 2, 3, 3), None),
        ("CircularPad1d", lambda: nn.CircularPad1d(1), (1, 2, 4), None),
        ("ConstantPad2d", lambda: nn.ConstantPad2d(1, 0.5), (1, 2, 3, 3), None),
        ("CosineSimilarity", lambda: nn.CosineSimilarity(), (3, 4), lambda mod, x: mod(x, x.flip(0))),
        ("PairwiseDistance", lambda: nn.PairwiseDistance(), (3, 4), lambda mod, x: mod(x, x.flip(0))),
        ("MSELoss", lambda: nn.MSELoss(), (3, 4), lambda mod, x: mod(x, x.detach().flip(0))),
        ("CrossEntropyLoss", lambda: nn.CrossEntropyLoss(), (3, 4), lambda mod, x: mod(x, _m(x).tensor([0, 3, 1]))),
        ("BCEWithLogitsLoss", lambda: nn.BCEWithLogitsLoss(), (3, 4),
         lambda mod, x: mod(x, x.detach().sigmoid())),
        ("HuberLoss", lambda: nn.HuberLoss(), (3, 4), lambda mod, x: mod(x, x.detach().flip(0))),
    ]


def _functional(m):
    """(name, function of one tensor): ops that keep their input or their output."""
    F = m.nn.functional
    return [
        ("relu", F.relu), ("sigmoid", m.sigmoid), ("tanh", m.tanh), ("exp", m.exp),
        ("expm1", m.expm1), ("log", lambda x: m.log(x.abs() + 1)), ("sqrt", lambda x: (x * x + 1).sqrt()),
        ("sin", m.sin), ("cos", m.cos), ("abs", m.abs), ("pow2", lambda x: x ** 2),
        ("pow3", lambda x: x.pow(3)), ("rsqrt", lambda x: (x * x + 1).rsqrt()),
        ("reciprocal", lambda x: (x * x + 1).reciprocal()), ("erf", m.erf), ("atan", m.atan),
        ("softmax", lambda x: F.softmax(x, dim=-1)), ("log_softmax", lambda x: F.log_softmax(x, dim=-1)),
        ("gelu", F.gelu), ("silu", F.silu), ("elu", F.elu), ("leaky_relu", F.leaky_relu),
        ("softplus", F.softplus), ("hardtanh", F.hardtanh), ("relu6", F.relu6),
        ("hardsigmoid", F.hardsigmoid), ("hardswish", F.hardswish), ("logsigmoid", F.logsigmoid),
        ("mish", F.mish), ("celu", F.celu), ("selu", F.selu), ("softsign", F.softsign),
        ("clamp", lambda x: x.clamp(-0.5, 0.5)), ("normalize", lambda x: F.normalize(x, dim=-1)),
        ("prod", lambda x: x.prod(dim=-1)), ("cumsum", lambda x: x.cumsum(-1)),
        ("cumprod", lambda x: x.cumprod(-1)), ("logsumexp", lambda x: x.logsumexp(-1)),
        ("max_dim", lambda x: x.max(dim=-1)[0]), ("amax", lambda x: x.amax(-1)),
        ("norm", lambda x: x.norm()), ("var", lambda x: x.var(-1)), ("std", lambda x: x.std(-1)),
        ("matmul_self", lambda x: x @ x.t()), ("square_mul", lambda x: x * x),
        ("div_by_self", lambda x: 1 / (x * x + 1)),
        # in place: some of torch's in-place activations save their result, the others the input
        ("relu_", lambda x: F.relu(x, inplace=True)), ("leaky_relu_", lambda x: F.leaky_relu(x, inplace=True)),
        ("elu_", lambda x: F.elu(x, inplace=True)), ("selu_", lambda x: F.selu(x, inplace=True)),
        ("celu_", lambda x: F.celu(x, inplace=True)), ("hardtanh_", lambda x: F.hardtanh(x, inplace=True)),
        ("silu_", lambda x: F.silu(x, inplace=True)), ("hardsigmoid_", lambda x: F.hardsigmoid(x, inplace=True)),
        ("threshold_", lambda x: F.threshold(x, 0.1, 0.0, inplace=True)),
        ("rrelu_eval_", lambda x: F.rrelu(x, training=False, inplace=True)),
    ]


def _m(t):
    return ember if isinstance(t, ember.Tensor) else torch


def _values(m, shape, start=-1.3, stop=1.1):
    n = int(np.prod(shape))
    return m.tensor(np.linspace(start, stop, n, dtype=np.float32).reshape(shape))


def _module_run(m, index, where):
    m.manual_seed(0)
    name, make, shape, call = _modules(m)[index]
    mod = make()
    with m.no_grad():
        for p in mod.parameters():
            p.copy_(_values(m, tuple(p.shape), -0.6, 0.7))
    leaf = None
    if name == "Embedding":
        x = m.tensor([[0, 2, 5], [1, 1, 4]])
    else:
        leaf = _values(m, shape).requires_grad_()
        x = leaf * 1
    out = call(mod, x) if call else mod(x)
    if isinstance(out, tuple):
        out = out[0]
    weights = list(mod.parameters())
    if where == "input":
        x.mul_(1.5)
    elif where == "output":
        out.mul_(1.5)
    else:
        with m.no_grad():
            weights[0].mul_(1.5)
    (out * _values(m, tuple(out.shape), 0.5, 1.5)).sum().backward()
    return [t.grad for t in ([leaf] if leaf is not None else []) + weights]


def _functional_run(m, index, where):
    name, fn = _functional(m)[index]
    leaf = _values(m, (3, 4)).requires_grad_()
    x = leaf * 1
    out = fn(x)
    (x if where == "input" else out).mul_(1.5)
    (out * _values(m, tuple(out.shape), 0.5, 1.5)).sum().backward()
    return [leaf.grad]


def _outcome(run, m, index, where):
    """('raised', the versions torch's message names) or ('ran', the gradients)."""
    try:
        grads = run(m, index, where)
    except RuntimeError as error:
        text = str(error)
        assert "modified by an inplace operation" in text, text
        return "raised", text.split(" is at version ")[1].split(" Hint")[0]
    return "ran", [None if g is None else np.array(g.tolist()) for g in grads]


def _same_outcome(run, index, where, versions=True):
    ours, theirs = _outcome(run, ember, index, where), _outcome(run, torch, index, where)
    assert ours[0] == theirs[0], f"ember {ours[0]}, torch {theirs[0]} ({ours[1]!s:.100} | {theirs[1]!s:.100})"
    if ours[0] == "raised":
        if versions:
            assert ours[1] == theirs[1]
        return
    for a, b in zip(ours[1], theirs[1], strict=True):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def _wheres(row):
    """The tensors a row changes: its input (unless it takes indices), output, first weight."""
    name, make, shape, _ = row
    return ("input",) * (shape is not None) + ("output",) + ("weight",) * bool(list(make().parameters()))


MODULES = [(i, row[0], where) for i, row in enumerate(_modules(ember)) for where in _wheres(row)]
FUNCTIONAL = [(i, row[0], where) for i, row in enumerate(_functional(ember))
              for where in ("input", "output")]


@pytest.mark.parametrize("index,name,where", MODULES, ids=[f"{n}-{w}" for _, n, w in MODULES])
def test_module_raises_where_torch_raises(index, name, where):
    _same_outcome(_module_run, index, where)


@pytest.mark.parametrize("index,name,where", FUNCTIONAL,
                         ids=[f"{p[1]}-{p[2]}"
                              for p in FUNCTIONAL])
def test_functional_op_raises_where_torch_raises(index, name, where):
    _same_outcome(_functional_run, index, where)


def test_the_table_covers_every_module_that_saves_tensors():
    """A module class of ember.nn with weights or a saved input has a row here (containers,
    dropouts, shape-only and loss wrappers excepted)."""
    covered = {name.split("_")[0] for _, name, _ in MODULES}
    wanted = {"Linear", "Bilinear", "Conv1d", "Conv2d", "ConvTranspose2d", "Embedding", "BatchNorm1d",
              "BatchNorm2d", "LayerNorm", "GroupNorm", "RMSNorm", "PReLU", "RNN", "GRU", "LSTM",
              "RNNCell", "LSTMCell", "GRUCell", "MultiheadAttention", "TransformerEncoderLayer",
              "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveMaxPool1d",
              "AdaptiveMaxPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "Unfold", "Fold"}
    assert wanted <= covered, sorted(wanted - covered)
    assert len(MODULES) + len(FUNCTIONAL) >= 300
