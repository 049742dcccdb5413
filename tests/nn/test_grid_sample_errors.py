"""F.grid_sample and F.affine_grid refuse bad arguments as torch does: the same exception type,
a message naming the bad value or shapes (values and gradients are in the spatial op table)."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

X4, G4 = (1, 2, 3, 3), (1, 2, 2, 2)
CASES = [
    ("mode", lambda m: m.nn.functional.grid_sample(m.ones(*X4), m.zeros(*G4), mode="cubic"),
     "mode"),
    ("padding", lambda m: m.nn.functional.grid_sample(m.ones(*X4), m.zeros(*G4),
                                                      padding_mode="wrap"), "padding_mode"),
    ("bicubic_5d", lambda m: m.nn.functional.grid_sample(m.ones(1, 1, 2, 2, 2),
                                                         m.zeros(1, 1, 1, 1, 3), mode="bicubic",
                                                         align_corners=False), "bicubic"),
    ("batch", lambda m: m.nn.functional.grid_sample(m.ones(2, 2, 3, 3), m.zeros(*G4),
                                                    align_corners=False), "batch size"),
    ("last_dim", lambda m: m.nn.functional.grid_sample(m.ones(*X4), m.zeros(1, 2, 2, 3),
                                                       align_corners=False), "last dimension"),
    ("rank", lambda m: m.nn.functional.grid_sample(m.ones(1, 2, 3), m.zeros(1, 2, 1),
                                                   align_corners=False), "4D or 5D"),
    ("theta_shape", lambda m: m.nn.functional.affine_grid(m.zeros(1, 3, 3), (1, 1, 2, 2),
                                                          align_corners=False), "Nx2x3"),
    ("theta_3d_shape", lambda m: m.nn.functional.affine_grid(m.zeros(1, 2, 3), (1, 1, 2, 2, 2),
                                                             align_corners=False), "Nx3x4"),
    ("size_rank", lambda m: m.nn.functional.affine_grid(m.zeros(1, 2, 3), (1, 2, 2),
                                                        align_corners=False), "4D and 5D"),
]


@pytest.mark.parametrize("name,fn,match", CASES, ids=[c[0] for c in CASES])
def test_errors_match_torch(name, fn, match):
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(type(theirs.value), match=match):
        fn(ember)


def test_identity_theta_reproduces_the_image():
    x = ember.tensor(np.random.default_rng(0).random((2, 3, 4, 5)).astype(np.float32))
    theta = ember.tensor(np.tile(np.eye(2, 3, dtype=np.float32), (2, 1, 1)))
    for align in (False, True):
        grid = ember.nn.functional.affine_grid(theta, (2, 3, 4, 5), align_corners=align)
        for mode in ("bilinear", "nearest", "bicubic"):
            y = ember.nn.functional.grid_sample(x, grid, mode=mode, align_corners=align)
            assert y.dtype == ember.float32
            np.testing.assert_allclose(y.numpy(), x.numpy(), atol=1e-5)
