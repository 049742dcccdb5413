"""MNIST-shaped data for the convnet examples, without downloading anything.

``load_data()`` answers like ``keras.datasets.mnist.load_data()``: ``((x_train, y_train),
(x_test, y_test))`` with uint8 images of shape (N, 28, 28) in 0..255 and uint8 labels. The
images are ember's bundled 8×8 handwritten digits (1797 of them), upsampled to 28×28 with
bilinear interpolation; the last 360 are the test set.

Example::

    >>> (x_train, y_train), (x_test, y_test) = load_data()
    >>> x_train.shape, x_train.dtype, x_test.shape
    ((1437, 28, 28), dtype('uint8'), (360, 28, 28))
"""
import numpy as np

import ember
import ember.nn.functional as F


def load_data(n_test: int = 360):
    digits = ember.datasets.load_digits(images=True)                 # (1797, 1, 8, 8), 0..16
    x = ember.tensor(digits.X / 16.0)
    big = F.interpolate(x, size=(28, 28), mode="bilinear", align_corners=False)
    images = np.clip(np.rint(big.numpy()[:, 0] * 255), 0, 255).astype(np.uint8)
    labels = digits.y.astype(np.uint8)
    return (images[:-n_test], labels[:-n_test]), (images[-n_test:], labels[-n_test:])
