"""Train notebook 12's longer MNIST-5k CNN and save it with nnlib.io (HDF5, no pickle).

    OMP_NUM_THREADS=1 python scripts/train_mnist5k_cnn.py       # seeds 1, 2, 3 -> models/mnist5k_cnn_seed{1,2,3}.h5
    OMP_NUM_THREADS=1 python scripts/train_mnist5k_cnn.py --seeds 2 --out-dir /tmp

Notebook 12 must run in 45 s, so its own CNN trains for a few seconds; this is the run it cannot
afford (about a minute on one CPU thread), with everything chosen on the validation set:

* data: notebook 10's and 12's split of mnist_5k (70 / 15 / 15, seed 0): 3,500 training, 750
  validation and 750 test images; training on the 3,500 only;
* network: conv 5x5x16 "same" (padding 2) -> max pool 2 -> conv 5x5x32 "same" -> max pool 2 ->
  flatten (32·7·7 = 1,568) -> dense 128 (ReLU, dropout keep 0.8) -> dense 10, softmax; float32;
* augmentation: every epoch, each training image moved by a fresh random (dy, dx) in
  {-2, ..., 2}², zeros moved in from outside;
* Adam, α0 = 2·10⁻³, one warmup epoch then cosine decay to α0/100 (nnlib.optim.warmup_cosine),
  batches of 128, 30 epochs;
* three such networks (seeds 1, 2, 3), and their **ensemble**: the mean of their predicted
  probabilities. On validation the ensemble scores at least as well as its best member.

Prints each network's validation and test accuracy and the ensemble's, and writes each model with
save_model (about 0.9 MB each); its hyperparameters record all of the above. Seeded (the seed drives initialization, dropout, shuffling and shifts);
the last digit of an accuracy can differ between BLAS libraries.
"""
import argparse
import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nnlib.conv import Conv2D  # noqa: E402
from nnlib.data import load_dataset  # noqa: E402
from nnlib.preprocessing import one_hot, train_val_test_split  # noqa: E402
from nnlib.io import save_model  # noqa: E402
from nnlib.layers import Dense  # noqa: E402
from nnlib.metrics import accuracy  # noqa: E402
from nnlib.model import Model  # noqa: E402
from nnlib.optim import Adam  # noqa: E402
from nnlib.schedules import warmup_cosine  # noqa: E402
from nnlib.training import fit  # noqa: E402
from nnlib.pooling import Flatten, MaxPool2D  # noqa: E402
from nnlib.regularization import Dropout  # noqa: E402
from nnlib.softmax import SoftmaxCrossEntropy  # noqa: E402

f32 = np.float32
DEFAULT_OUT_DIR = ROOT / "models"
HYPERPARAMETERS = dict(data="mnist_5k, 70/15/15 split seed 0, trained on the 3,500 training images",
                       network="conv5x5x16 same-pool2-conv5x5x32 same-pool2-dense128 (dropout keep 0.8)-10",
                       augmentation="random shift of each image by (dy, dx) in {-2..2}^2, fresh every epoch",
                       optimizer="Adam", lr0=2e-3, schedule="warmup_cosine, warmup 1 epoch, lr_min lr0/100",
                       batch_size=128, epochs=30)


def mnist5k_split():
    """The notebooks' split: (X, y) for train, validation, test; X (1, 28, 28, m) float32 in [0, 1]."""
    mnist = load_dataset("mnist_5k")
    index = np.arange(len(mnist["labels"]))[None, :]
    parts = train_val_test_split(index, mnist["labels"], (0.7, 0.15, 0.15), np.random.default_rng(0))
    as_images = lambda images: np.ascontiguousarray((images / 255.0).astype(f32).transpose(1, 2, 0)[None])
    return [(as_images(mnist["images"][i[0]]), y) for i, y in parts]


def random_shifts(X, max_shift, rng):
    """X (C, H, W, m) with each image moved by its own random (dy, dx), |dy|, |dx| <= max_shift."""
    C, H, W, m = X.shape
    p = max_shift
    padded = np.pad(X, ((0, 0), (p, p), (p, p), (0, 0)))
    dy, dx = rng.integers(-p, p + 1, m), rng.integers(-p, p + 1, m)
    out = np.empty_like(X)
    for a in range(-p, p + 1):          # one slice per shift: (2p + 1)² slices, no loop over images
        for b in range(-p, p + 1):
            chosen = np.flatnonzero((dy == a) & (dx == b))
            out[..., chosen] = padded[:, p - a:p - a + H, p - b:p - b + W, chosen]
    return out


def mnist5k_cnn(seed):
    rng = np.random.default_rng(seed)
    layers = [Conv2D((1, 28, 28), 16, 5, padding=2, activation="relu", rng=rng, dtype=f32)]
    layers.append(MaxPool2D(layers[-1].n_out, 2))
    layers.append(Conv2D(layers[-1].n_out, 32, 5, padding=2, activation="relu", rng=rng, dtype=f32))
    layers.append(MaxPool2D(layers[-1].n_out, 2))
    layers.append(Flatten(layers[-1].n_out))
    layers += [Dense(layers[-1].n_out, 128, "relu", "he", rng, f32), Dropout(0.8, rng),
               Dense(128, 10, "identity", "he", rng, f32)]
    return Model(layers, SoftmaxCrossEntropy())


def train(seed=1, epochs=30, lr0=2e-3, max_shift=2, batch_size=128, verbose=True):
    """Train the CNN on the training images; return (model, validation accuracy, seconds)."""
    (X_train, y_train), (X_val, y_val), _ = mnist5k_split()
    model, optimizer = mnist5k_cnn(seed), Adam(lr0)
    rng = np.random.default_rng(seed + 100)
    Y_train = one_hot(y_train, 10).astype(f32)
    seconds = 0.0
    for epoch in range(epochs):
        lr = warmup_cosine(lr0, 1, epochs, epoch, lr0 / 100)
        history = fit(model, random_shifts(X_train, max_shift, rng), Y_train, optimizer, 1, batch_size, rng,
                      schedule=lambda _: lr)
        seconds += history["time"][-1]
        if verbose and (epoch % 5 == 4 or epoch == epochs - 1):
            print(f"epoch {epoch + 1:3d}  lr {lr:.2e}  cost {history['cost'][-1]:.4f}  "
                  f"validation {accuracy(y_val, model.predict(X_val)):.1%}  {seconds:.0f} s", flush=True)
    return model, accuracy(y_val, model.predict(X_val)), seconds


def ensemble_predict(models, X):
    """The ensemble's classes: argmax of the mean of the models' predicted probabilities."""
    return np.argmax(sum(model.predict_proba(X) for model in models) / len(models), axis=0)


def weights_path(out_dir, seed):
    return pathlib.Path(out_dir) / f"mnist5k_cnn_seed{seed}.h5"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds, one network each")
    parser.add_argument("--out-dir", type=pathlib.Path, default=DEFAULT_OUT_DIR)
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    start = time.perf_counter()
    _, (X_val, y_val), (X_test, y_test) = mnist5k_split()
    models = []
    for seed in seeds:
        model, val_accuracy, seconds = train(seed)
        models.append(model)
        test_pred = model.predict(X_test)
        print(f"seed {seed}: validation {val_accuracy:.2%}, test {accuracy(y_test, test_pred):.2%} "
              f"({np.sum(test_pred != y_test)} of {len(y_test)} wrong); training {seconds:.0f} s", flush=True)
        path = weights_path(args.out_dir, seed)
        path.parent.mkdir(parents=True, exist_ok=True)
        save_model(model, path, {**HYPERPARAMETERS, "seed": seed, "script": "scripts/train_mnist5k_cnn.py"})
        print(f"saved {path} ({path.stat().st_size:,d} bytes)")
    val_accuracy = accuracy(y_val, ensemble_predict(models, X_val))
    test_accuracy = accuracy(y_test, ensemble_predict(models, X_test))
    print(f"ensemble of seeds {seeds}: validation {val_accuracy:.2%}, test {test_accuracy:.2%}; "
          f"total {time.perf_counter() - start:.0f} s")
    return models, val_accuracy, test_accuracy


if __name__ == "__main__":
    main()
