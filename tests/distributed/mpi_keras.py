"""Run by test_mpi_keras.py: Keras-style training with ``keras.distribution.DataParallel`` set
(under mpiexec) or without it (one plain process). Every rank writes its history and weights to
``OUT/rank<r>.json``; a CSVLogger and a ModelCheckpoint name files after the rank so the test
sees which ranks wrote them.

Usage: python mpi_keras.py OUT {dp,single}
"""
import json
import os
import sys

import numpy as np

from ember import keras

out, mode = sys.argv[1], sys.argv[2]
rank = int(os.environ.get("OMPI_COMM_WORLD_RANK", "0"))
if mode == "dp":
    keras.distribution.set_distribution(keras.distribution.DataParallel())
keras.utils.set_random_seed(0)
g = np.random.default_rng(1)
x = g.standard_normal((100, 6)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("int64") + (x[:, 2] > 1)
x_val, y_val = x[:20] * 0.5, y[:20]

keras.utils.set_random_seed(rank)  # different initial weights: fit starts from rank 0's
model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="tanh"),
                          keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
keras.utils.set_random_seed(0)  # the same shuffling on every rank
callbacks = [keras.callbacks.CSVLogger(os.path.join(out, f"log{rank}.csv")),
             keras.callbacks.ModelCheckpoint(os.path.join(out, f"best{rank}.weights.h5"),
                                             save_weights_only=True)]
history = model.fit(x, y, batch_size=16, epochs=3, verbose=2, validation_data=(x_val, y_val),
                    callbacks=callbacks)
result = {"history": history.history,
          "weights": [w.numpy().tolist() for w in model.weights]}
with open(os.path.join(out, f"rank{rank}.json"), "w") as handle:
    json.dump(result, handle)
