r"""Small real datasets shipped inside optlib, and a seeded mini-batch iterator.

Two classic datasets come with the package (``optlib/data/``, copied from
scikit-learn; origin, licences and citations in ``optlib/data/README.md``),
so every chapter can train on real data without a download:

* :func:`load_digits`: 1797 handwritten digits, 8x8 images of pixel counts
  0..16, ten classes (classification; softmax regression).
* :func:`load_diabetes`: 442 patients, 10 baseline features, a measure of
  disease progression one year later (regression; least squares).

Each loader returns a frozen :class:`Dataset` whose ``X`` has one sample per
row, ready for :func:`optlib.objectives.least_squares`,
:func:`~optlib.objectives.logistic` and
:func:`~optlib.objectives.softmax_regression`.

:func:`minibatches` yields the index arrays of stochastic gradient methods:
shuffled epochs (sampling without replacement, what a torch ``DataLoader``
with ``shuffle=True`` does) or independent uniform draws (with replacement,
what most convergence proofs assume). Pass each one to
``objective.grad_batch(x, idx)``.

The files are read with ``gzip`` and ``numpy.loadtxt`` through
``importlib.resources``, so they are found wherever optlib is installed.
"""
import dataclasses
import gzip
import numbers
from importlib import resources
from typing import Optional

import numpy as np

__all__ = ["Dataset", "load_digits", "load_diabetes", "minibatches"]

# The scikit-learn release the files in optlib/data/ were copied from.
SKLEARN_VERSION = "1.9.1"


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """A small dataset: a design matrix, targets and what they mean.

    Attributes
    ----------
    name : str
        Short name (``"digits"``, ``"diabetes"``).
    X : ndarray of float64, shape (n, d)
        One sample per row, one feature per column.
    y : ndarray, shape (n,)
        Targets: int64 class labels for classification, float64 values for
        regression.
    feature_names : tuple of str
        The name of each column of ``X``.
    target_names : tuple or None
        For classification, ``target_names[k]`` names class ``k``; None for
        regression.
    description : str
        A few lines: what the data are, where they come from, how to cite
        them and their licence.
    image_shape : tuple or None
        For image data, the shape of one image: ``X[i].reshape(image_shape)``
        is sample ``i`` as a picture (see :attr:`images`); else None.

    Each loader call returns new arrays, so modifying ``X`` or ``y`` in place
    changes nothing for the next call; the fields themselves cannot be
    reassigned.

    Examples
    --------
    >>> ds = load_digits()
    >>> ds
    Dataset('digits', X: (1797, 64) float64, y: (1797,) int64)
    >>> ds.n_samples, ds.n_features, ds.images.shape
    (1797, 64, (1797, 8, 8))
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    feature_names: tuple
    target_names: Optional[tuple]
    description: str
    image_shape: Optional[tuple] = None

    @property
    def n_samples(self):
        """Number of samples n (rows of ``X``)."""
        return self.X.shape[0]

    @property
    def n_features(self):
        """Number of features d (columns of ``X``)."""
        return self.X.shape[1]

    @property
    def images(self):
        """``X`` as images, shape ``(n,) + image_shape`` (a view); image data only."""
        if self.image_shape is None:
            raise AttributeError(f"dataset {self.name!r} holds no images (image_shape is None)")
        return self.X.reshape((self.n_samples,) + tuple(self.image_shape))

    def __repr__(self):
        return f"Dataset({self.name!r}, X: {self.X.shape} {self.X.dtype}, y: {self.y.shape} {self.y.dtype})"


def _read_csv_gz(filename, delimiter=None):
    """The numbers in the gzipped text table ``optlib/data/<filename>``, as float64."""
    with resources.files("optlib").joinpath("data", filename).open("rb") as raw:
        with gzip.open(raw, mode="rt", encoding="utf-8") as text:
            return np.loadtxt(text, delimiter=delimiter, dtype=np.float64)


_DIGITS_DESCRIPTION = f"""\
Optical Recognition of Handwritten Digits (UCI Machine Learning Repository):
the 1797-sample test set, 8x8 images whose pixels count the 'on' pixels of a
4x4 block of a 32x32 bitmap (integers 0..16), labels 0..9; 13 writers.
Cite: E. Alpaydin and C. Kaynak (1998), Optical Recognition of Handwritten
Digits, UCI Machine Learning Repository, https://doi.org/10.24432/C50P49.
Licence: CC BY 4.0. Copied from scikit-learn {SKLEARN_VERSION} (BSD-3-Clause)."""

_DIABETES_DESCRIPTION = f"""\
Diabetes (Efron, Hastie, Johnstone and Tibshirani 2004): for 442 patients, ten
baseline variables (age, sex, body mass index, average blood pressure, six
blood serum measurements) and, as target, a quantitative measure of disease
progression one year after baseline (25..346).
Cite: B. Efron, T. Hastie, I. Johnstone and R. Tibshirani (2004), Least Angle
Regression, Annals of Statistics 32(2), 407-499.
Source: https://www4.stat.ncsu.edu/~boos/var.select/diabetes.html (no licence
stated there). Copied from scikit-learn {SKLEARN_VERSION} (BSD-3-Clause)."""


def load_digits():
    r"""The UCI handwritten digits: 1797 images of 8x8 pixels, ten classes.

    Returns
    -------
    Dataset
        ``X`` float64 of shape (1797, 64), pixel counts 0..16 with the
        image read row by row (column ``8 r + c`` is ``"pixel_r_c"``);
        ``y`` int64 labels 0..9 (174 to 183 samples per digit);
        ``target_names = (0, 1, ..., 9)``; ``image_shape = (8, 8)``.

    The pixels are left as counts: divide by 16 for the range [0, 1]. The
    rows are exactly those of scikit-learn's ``load_digits()``, in its order.

    References
    ----------
    E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten Digits",
    UCI Machine Learning Repository, 1998, https://doi.org/10.24432/C50P49
    (CC BY 4.0). C. Kaynak, "Methods of Combining Multiple Classifiers and
    Their Applications to Handwritten Digit Recognition", MSc thesis,
    Bogazici University, 1995.

    Examples
    --------
    >>> import numpy as np
    >>> ds = load_digits()
    >>> ds.X.shape, ds.y[:10]
    ((1797, 64), array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]))
    >>> np.bincount(ds.y)
    array([178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    >>> print(ds.images[0].astype(int))
    [[ 0  0  5 13  9  1  0  0]
     [ 0  0 13 15 10 15  5  0]
     [ 0  3 15  2  0 11  8  0]
     [ 0  4 12  0  0  8  8  0]
     [ 0  5  8  0  0  9  8  0]
     [ 0  4 11  0  1 12  7  0]
     [ 0  2 14  5 10 12  0  0]
     [ 0  0  6 13 10  0  0  0]]
    """
    data = _read_csv_gz("digits.csv.gz", delimiter=",")  # 64 pixels, then the label
    X = np.ascontiguousarray(data[:, :-1])
    y = data[:, -1].astype(np.int64)
    names = tuple(f"pixel_{r}_{c}" for r in range(8) for c in range(8))
    return Dataset("digits", X, y, names, tuple(range(10)), _DIGITS_DESCRIPTION, image_shape=(8, 8))


def load_diabetes(standardize=False):
    r"""The diabetes regression data of Efron et al. (2004): 442 patients, 10 features.

    Parameters
    ----------
    standardize : bool
        False (default): the raw measurements, in their units (age in years,
        sex coded 1 or 2, BMI in kg/m², ...): scikit-learn's
        ``load_diabetes(scaled=False)``.
        True: each column shifted and scaled to mean 0 and standard deviation 1,

        .. math::

            \tilde x_{ij} = \frac{x_{ij} - \bar x_j}{s_j}, \qquad
            s_j = \sqrt{\tfrac1n \textstyle\sum_i (x_{ij} - \bar x_j)^2}

        with the *population* standard deviation (divisor :math:`n`, not
        :math:`n - 1`; ``numpy.std``'s default, as scikit-learn's
        ``StandardScaler``).

    Returns
    -------
    Dataset
        ``X`` float64 of shape (442, 10), columns ``("age", "sex", "bmi", "bp",
        "s1", ..., "s6")``; ``y`` float64 of shape (442,), disease progression
        one year after baseline (never standardized); ``target_names`` None.

    Notes
    -----
    Not scikit-learn's default. ``sklearn.datasets.load_diabetes()`` (with
    ``scaled=True``) divides each centred column by :math:`s_j \sqrt{n}`, so
    that its *sum of squares* is 1: its values are
    ``load_diabetes(standardize=True).X / sqrt(442)``, about 21 times smaller
    than standard scores, and its standard deviation is :math:`1/\sqrt{442}
    \approx 0.048`, not 1. Standardizing matters for optimization: the raw
    columns have means from 1.5 (sex) to 189 (s1) and standard deviations
    from 0.5 to 35, so the Hessian of least squares on them,
    :math:`\frac1n X^\top X`, is badly conditioned (see the example).

    References
    ----------
    B. Efron, T. Hastie, I. Johnstone and R. Tibshirani, "Least Angle
    Regression", Annals of Statistics 32(2), 407-499, 2004,
    https://doi.org/10.1214/009053604000000067.

    Examples
    --------
    >>> import numpy as np
    >>> raw = load_diabetes()
    >>> print(raw.X[0], raw.y[0])
    [ 59.       2.      32.1    101.     157.      93.2     38.       4.
       4.8598  87.    ] 151.0
    >>> z = load_diabetes(standardize=True)
    >>> print(z.X.mean(axis=0).round(12) + 0.0, z.X.std(axis=0).round(12))
    [0. 0. 0. 0. 0. 0. 0. 0. 0. 0.] [1. 1. 1. 1. 1. 1. 1. 1. 1. 1.]

    The condition number of the least-squares Hessian, with a column of ones
    for the intercept:

    >>> def kappa(X):
    ...     X1 = np.column_stack([np.ones(len(X)), X])
    ...     return np.linalg.cond(X1.T @ X1 / len(X))
    >>> print(f"raw {kappa(raw.X):.2g}, standardized {kappa(z.X):.3g}")
    raw 5.2e+07, standardized 470
    """
    if not isinstance(standardize, (bool, np.bool_)):
        raise TypeError(f"standardize must be True or False, got {standardize!r}")
    X = _read_csv_gz("diabetes_data_raw.csv.gz")
    y = _read_csv_gz("diabetes_target.csv.gz")
    if standardize:
        X = (X - X.mean(axis=0)) / X.std(axis=0)  # ddof=0: divide by n
    names = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")
    return Dataset("diabetes", X, y, names, None, _DIABETES_DESCRIPTION)


# ---------------------------------------------------------------- mini-batches

def _count(name, value, low):
    """``value`` as an int >= low; TypeError/ValueError naming ``name`` otherwise."""
    # bool is an Integral, but minibatches(True, ...) is surely a mistake
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)


def minibatches(n, batch_size, *, seed=0, replacement=False, drop_last=False, epochs=1):
    r"""Yield index arrays of mini-batches of ``range(n)``, reproducibly.

    Without replacement (``replacement=False``, the default), each epoch is
    a fresh random permutation of ``0, ..., n-1`` cut into consecutive
    batches of ``batch_size``: every index appears exactly once per epoch.
    The last batch of an epoch has ``n % batch_size`` indices when that is
    not 0, unless ``drop_last=True`` drops it (then every batch is full and
    those indices are not seen that epoch). An epoch has
    ``ceil(n / batch_size)`` batches, or ``n // batch_size`` with
    ``drop_last``. This is what ``torch.utils.data.DataLoader(...,
    shuffle=True)`` does.

    With replacement (``replacement=True``), every batch is ``batch_size``
    indices drawn independently and uniformly from ``0, ..., n-1`` (a batch
    can repeat an index), the sampling most SGD analyses assume: each
    mini-batch gradient is then an unbiased estimate of the full gradient,
    independent of the others. An "epoch" is then ``n // batch_size``
    batches, about ``n`` draws; every batch is full, so ``drop_last`` changes
    nothing.

    Parameters
    ----------
    n : int
        Number of examples, >= 1.
    batch_size : int
        Indices per batch, ``1 <= batch_size <= n``.
    seed : int or torch.Generator
        Seed of ``numpy.random.default_rng``; the same arguments always give
        the same batches. Or a seeded ``torch.Generator``: the shuffles are
        then drawn the way ``torch.utils.data.DataLoader(range(n),
        batch_size=batch_size, shuffle=True, drop_last=drop_last,
        generator=seed)`` draws them, and the batches are that loader's,
        epoch after epoch (without replacement only). Like the loader, the
        iterator advances the generator.
    replacement : bool
        Sample with replacement (independent batches) or not (shuffled epochs).
    drop_last : bool
        Without replacement, drop each epoch's last, smaller batch.
    epochs : int or None
        Number of epochs (>= 1), or None for an endless stream (stop it
        yourself, e.g. with ``zip(range(steps), minibatches(...))``).

    Yields
    ------
    ndarray of int64, shape (batch_size,) or smaller for a last batch
        Indices into the data: ``X[idx]``, ``objective.grad_batch(x, idx)``.

    Raises
    ------
    TypeError
        If ``n``, ``batch_size``, ``seed`` or ``epochs`` is not an int, or
        ``replacement`` / ``drop_last`` is not a bool.
    ValueError
        If ``n < 1``, ``batch_size`` is not in ``[1, n]``, ``seed < 0`` or
        ``epochs < 1``. Raised at the call, before the first batch.

    Examples
    --------
    >>> for idx in minibatches(10, 4, seed=0):
    ...     print(idx)
    [4 6 2 7]
    [3 5 9 0]
    [8 1]
    >>> [len(idx) for idx in minibatches(10, 4, seed=0, drop_last=True, epochs=2)]
    [4, 4, 4, 4]
    >>> for idx in minibatches(10, 4, seed=0, replacement=True):
    ...     print(idx)
    [8 6 5 2]
    [3 0 0 0]

    With a seeded torch generator, the batches of torch's ``DataLoader``:

    >>> import torch
    >>> loader = torch.utils.data.DataLoader(range(10), batch_size=4, shuffle=True,
    ...                                      generator=torch.Generator().manual_seed(0))
    >>> [batch.tolist() for batch in loader]
    [[3, 7, 5, 2], [0, 8, 1, 6], [9, 4]]
    >>> [idx.tolist() for idx in minibatches(10, 4, seed=torch.Generator().manual_seed(0))]
    [[3, 7, 5, 2], [0, 8, 1, 6], [9, 4]]
    """
    n = _count("n", n, 1)
    batch_size = _count("batch_size", batch_size, 1)
    if batch_size > n:
        raise ValueError(f"batch_size must be <= n = {n}, got {batch_size}")
    if type(seed).__module__.startswith("torch") and type(seed).__name__ == "Generator":
        if replacement:
            raise ValueError(
                "seed: a torch.Generator gives the batches of DataLoader(shuffle=True), which "
                "samples without replacement; use an int seed with replacement=True"
            )
    else:
        seed = _count("seed", seed, 0)
    for name, flag in (("replacement", replacement), ("drop_last", drop_last)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    if epochs is not None:
        epochs = _count("epochs", epochs, 1)
    # Checked above, eagerly; the generator below runs only when iterated.
    return _batches(n, batch_size, seed, bool(replacement), bool(drop_last), epochs)


def _torch_shuffle(generator, n):
    """The permutation one epoch of ``DataLoader(shuffle=True, generator=generator)`` uses.

    Each ``iter(loader)`` first draws a base seed for worker processes (one
    int64 from the generator, ``_BaseDataLoaderIter.__init__``); its
    ``RandomSampler`` then draws ``torch.randperm(n, generator=generator)``
    for the epoch, and, once the epoch is used up, one more permutation of
    which it keeps the first ``num_samples % n = 0`` entries (torch 2.x's
    ``RandomSampler.__iter__``). ``tests/test_datasets.py`` checks the result
    against the loader itself.
    """
    import torch

    torch.empty((), dtype=torch.int64).random_(generator=generator)
    order = torch.randperm(n, generator=generator).numpy()
    torch.randperm(n, generator=generator)
    return order


def _batches(n, batch_size, seed, replacement, drop_last, epochs):
    torch_generator = not isinstance(seed, int)
    rng = None if torch_generator else np.random.default_rng(seed)
    epoch = 0
    while epochs is None or epoch < epochs:
        if replacement:
            for _ in range(n // batch_size):
                yield rng.integers(0, n, size=batch_size, dtype=np.int64)
        else:
            order = (_torch_shuffle(seed, n) if torch_generator else rng.permutation(n)).astype(np.int64)
            stop = n - n % batch_size if drop_last else n
            for start in range(0, stop, batch_size):
                yield order[start : start + batch_size]
        epoch += 1
