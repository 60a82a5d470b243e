"""optlib.datasets: the shipped data against scikit-learn's own loaders, and the mini-batch iterator.

Oracles: scikit-learn (a test dependency only; the files were copied from its
wheel), the class counts published with the UCI data, pure-Python statistics
for the standardization, and counting / chi-square bounds for the sampler.
"""
import dataclasses
import hashlib
import itertools
import math
import statistics
from importlib import resources

import numpy as np
import pytest
import sklearn
import sklearn.datasets as sklearn_datasets  # a pinned test dependency: no skip if it is missing
import torch
import sklearn.preprocessing

import optlib
from optlib.datasets import Dataset, load_diabetes, load_digits, minibatches


# ------------------------------------------------------------------ the files

@pytest.mark.parametrize("name", ["digits.csv.gz", "diabetes_data_raw.csv.gz", "diabetes_target.csv.gz"])
def test_shipped_files_are_byte_copies_of_scikit_learns(name):
    ours = resources.files("optlib").joinpath("data", name).read_bytes()
    theirs = resources.files("sklearn.datasets.data").joinpath(name).read_bytes()
    assert hashlib.sha256(ours).hexdigest() == hashlib.sha256(theirs).hexdigest()
    # ... and the README's checksum is that file's
    readme = resources.files("optlib").joinpath("data", "README.md").read_text(encoding="utf-8")
    assert f"{hashlib.sha256(ours).hexdigest()}  {name}" in readme


def test_readme_names_the_version_licences_and_citations():
    readme = resources.files("optlib").joinpath("data", "README.md").read_text(encoding="utf-8")
    assert f"scikit-learn {sklearn.__version__}" in readme  # the version the pin installs
    assert optlib.datasets.SKLEARN_VERSION == sklearn.__version__
    for text in ("BSD 3-Clause", "CC BY 4.0", "Alpaydin", "Kaynak", "10.24432/C50P49",
                 "Efron", "Least Angle Regression", "Annals of Statistics"):
        assert text in readme, text


# ------------------------------------------------------------------ digits

def test_digits_equal_scikit_learns():
    ds, sk = load_digits(), sklearn_datasets.load_digits()
    assert ds.X.dtype == np.float64 and ds.y.dtype == np.int64
    assert ds.X.shape == (1797, 64) and ds.y.shape == (1797,)
    np.testing.assert_array_equal(ds.X, sk.data)
    np.testing.assert_array_equal(ds.y, sk.target)
    np.testing.assert_array_equal(ds.images, sk.images)
    assert list(ds.feature_names) == list(sk.feature_names)
    assert list(ds.target_names) == list(sk.target_names)
    assert ds.image_shape == (8, 8) and ds.n_samples == 1797 and ds.n_features == 64


def test_digits_class_counts_are_the_published_ones():
    # the class distribution of optdigits.tes in the UCI description
    ds = load_digits()
    assert np.bincount(ds.y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert set(np.unique(ds.X)) <= set(range(17))  # pixel counts 0..16
    assert ds.X.min() == 0 and ds.X.max() == 16


# ------------------------------------------------------------------ diabetes

def test_diabetes_raw_equals_scikit_learns_unscaled():
    ds, sk = load_diabetes(), sklearn_datasets.load_diabetes(scaled=False)
    assert ds.X.dtype == np.float64 and ds.y.dtype == np.float64
    assert ds.X.shape == (442, 10) and ds.y.shape == (442,)
    np.testing.assert_array_equal(ds.X, sk.data)
    np.testing.assert_array_equal(ds.y, sk.target)
    assert list(ds.feature_names) == list(sk.feature_names)
    assert ds.target_names is None and ds.image_shape is None
    assert set(ds.X[:, 1]) == {1.0, 2.0}  # sex, coded 1/2 in the raw data
    assert (ds.y.min(), ds.y.max()) == (25.0, 346.0)


def test_diabetes_standardized_is_the_z_score_with_divisor_n():
    raw, z = load_diabetes().X, load_diabetes(standardize=True)
    # independent: pure-Python mean and population standard deviation, column by column
    for j in range(10):
        col = raw[:, j].tolist()
        mean, sd = statistics.fmean(col), statistics.pstdev(col)
        np.testing.assert_allclose(z.X[:, j], [(v - mean) / sd for v in col], rtol=1e-12, atol=1e-12)
    # the same as scikit-learn's StandardScaler, and the target is left alone
    np.testing.assert_allclose(z.X, sklearn.preprocessing.StandardScaler().fit_transform(raw), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(z.y, load_diabetes().y)
    np.testing.assert_allclose(z.X.std(axis=0, ddof=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(z.X.std(axis=0, ddof=1), math.sqrt(442 / 441), rtol=1e-12)  # not 1


def test_scikit_learns_default_scaling_is_ours_over_sqrt_n():
    # what the docstring tells readers: sklearn's scaled=True is NOT mean 0, std 1
    z = load_diabetes(standardize=True).X
    scaled = sklearn_datasets.load_diabetes().data
    np.testing.assert_allclose(scaled, z / math.sqrt(442), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose((scaled**2).sum(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(scaled.std(axis=0), 1 / math.sqrt(442), rtol=1e-12)


# ------------------------------------------------------------------ Dataset

@pytest.mark.parametrize("load", [load_digits, load_diabetes])
def test_dataset_is_frozen_and_each_call_gets_fresh_arrays(load):
    ds = load()
    assert isinstance(ds, Dataset)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.X = np.zeros(3)
    ds.X[0, 0] = -123.0  # the arrays are the caller's own
    ds.y[0] = 99
    again = load()
    assert again.X[0, 0] != -123.0 and again.y[0] != 99
    assert repr(again) == f"Dataset({again.name!r}, X: {again.X.shape} float64, y: {again.y.shape} {again.y.dtype})"


@pytest.mark.parametrize(
    "load, words",
    [(load_digits, ["Alpaydin", "Kaynak", "UCI", "CC BY 4.0", "10.24432/C50P49"]),
     (load_diabetes, ["Efron", "Hastie", "Johnstone", "Tibshirani", "Least Angle", "Annals of Statistics"])],
)
def test_description_cites_the_source(load, words):
    ds = load()
    for word in words + ["scikit-learn", "BSD-3-Clause"]:
        assert word in ds.description, word
    assert all(len(line) <= 80 for line in ds.description.splitlines())


def test_images_only_for_image_data_and_standardize_must_be_a_bool():
    with pytest.raises(AttributeError, match="holds no images"):
        load_diabetes().images
    with pytest.raises(TypeError, match="standardize must be True or False"):
        load_diabetes(standardize="yes")
    with pytest.raises(TypeError, match="standardize must be True or False"):
        load_diabetes(1)


# ------------------------------------------------------------------ minibatches: without replacement

WITHOUT = [  # (n, batch_size, drop_last): divisible, remainder, remainder dropped, batch = n, batch = 1
    (12, 4, False), (10, 4, False), (10, 4, True), (7, 7, False), (5, 1, False), (1797, 128, False),
]


@pytest.mark.parametrize("n, b, drop_last", WITHOUT)
def test_every_index_once_per_epoch(n, b, drop_last):
    epochs = 3
    batches = list(minibatches(n, b, seed=1, drop_last=drop_last, epochs=epochs))
    per_epoch = n // b if drop_last or n % b == 0 else n // b + 1
    assert len(batches) == epochs * per_epoch
    for e in range(epochs):
        epoch = batches[e * per_epoch : (e + 1) * per_epoch]
        sizes = [len(idx) for idx in epoch]
        assert sizes[:-1] == [b] * (per_epoch - 1)
        assert sizes[-1] == (b if drop_last or n % b == 0 else n % b)
        seen = np.concatenate(epoch)
        assert seen.dtype == np.int64
        assert len(set(seen.tolist())) == len(seen)  # no index twice in an epoch
        if drop_last:
            assert len(seen) == n - n % b and set(seen.tolist()) <= set(range(n))
        else:
            assert sorted(seen.tolist()) == list(range(n))  # each exactly once


def test_epochs_are_different_shuffles_and_the_first_index_is_uniform():
    n, epochs = 10, 5000
    firsts = [idx[0] for idx in minibatches(n, 3, seed=2, epochs=epochs)][::4]  # 4 batches per epoch
    assert len(firsts) == epochs
    counts = np.bincount(firsts, minlength=n)
    expected = epochs / n
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 27.88  # chi-square, 9 degrees of freedom, 0.1% upper tail
    batches = list(minibatches(n, 3, seed=2, epochs=4))
    orders = {tuple(np.concatenate(batches[e : e + 4]).tolist()) for e in range(0, 16, 4)}
    assert len(orders) == 4  # four epochs, four different orders


# ------------------------------------------------------------------ minibatches: with replacement

def test_with_replacement_batches_are_full_and_n_over_b_per_epoch():
    batches = list(minibatches(10, 4, seed=0, replacement=True, epochs=3))
    assert len(batches) == 3 * (10 // 4)
    assert all(idx.shape == (4,) and idx.dtype == np.int64 for idx in batches)
    assert all(0 <= i < 10 for idx in batches for i in idx)
    # drop_last changes nothing: every batch is full anyway
    same = minibatches(10, 4, seed=0, replacement=True, drop_last=True, epochs=3)
    assert all(np.array_equal(a, b) for a, b in zip(batches, same, strict=True))


def test_with_replacement_draws_are_uniform_and_independent():
    n, b, epochs = 10, 7, 20_000  # n // b = 1 batch per epoch
    batches = np.array(list(minibatches(n, b, seed=3, replacement=True, epochs=epochs)))
    assert batches.shape == (epochs, b)
    counts = np.bincount(batches.ravel(), minlength=n)
    expected = epochs * b / n
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 27.88  # chi-square, 9 degrees of freedom, 0.1% upper tail
    # independent draws within a batch: P(all 7 distinct) = 10!/(3! 10^7) = 0.06048,
    # while sampling without replacement inside a batch would give 1
    distinct = np.mean([len(set(row)) == b for row in batches.tolist()])
    p = math.perm(n, b) / n**b
    assert abs(distinct - p) < 5 * math.sqrt(p * (1 - p) / epochs)


# ------------------------------------------------------------------ minibatches: seeds

@pytest.mark.parametrize("replacement", [False, True])
def test_same_seed_same_batches_other_seed_other_batches(replacement):
    def run(seed):
        return [idx.tolist() for idx in minibatches(50, 8, seed=seed, replacement=replacement, epochs=2)]

    assert run(7) == run(7)
    assert run(7) != run(8)
    assert run(0) == [idx.tolist() for idx in minibatches(50, 8, replacement=replacement, epochs=2)]  # seed=0


def test_the_batches_are_numpys_default_rng():
    # the documented recipe: a permutation per epoch from default_rng(seed), cut in order
    rng = np.random.default_rng(11)
    expected = [p[i : i + 3] for p in (rng.permutation(8), rng.permutation(8)) for i in (0, 3, 6)]
    got = list(minibatches(8, 3, seed=11, epochs=2))
    assert [g.tolist() for g in got] == [e.tolist() for e in expected]
    rng = np.random.default_rng(11)
    got = list(minibatches(8, 3, seed=11, replacement=True, epochs=2))
    assert [g.tolist() for g in got] == [rng.integers(0, 8, size=3).tolist() for _ in range(4)]


def test_endless_stream():
    stream = minibatches(10, 3, seed=0, epochs=None)
    batches = list(itertools.islice(stream, 400))  # 100 epochs of 4 batches
    assert len(batches) == 400
    assert np.bincount(np.concatenate(batches)).tolist() == [100] * 10
    assert next(stream).shape == (3,)  # it goes on


def test_numpy_integers_are_accepted():
    batches = list(minibatches(np.int64(6), np.int32(2), seed=np.int64(1), epochs=np.int64(1)))
    assert [len(b) for b in batches] == [2, 2, 2]


# ------------------------------------------------------------------ minibatches: bad input

@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        ((0, 1), {}, ValueError, "n must be >= 1, got 0"),
        ((2.5, 1), {}, TypeError, "n must be an int, got float"),
        ((True, 1), {}, TypeError, "n must be an int, got bool"),
        (("10", 1), {}, TypeError, "n must be an int"),
        ((10, 0), {}, ValueError, "batch_size must be >= 1, got 0"),
        ((10, -2), {}, ValueError, "batch_size must be >= 1"),
        ((10, 2.0), {}, TypeError, "batch_size must be an int, got float"),
        ((10, 11), {}, ValueError, r"batch_size must be <= n = 10, got 11"),
        ((10, 11), {"replacement": True}, ValueError, r"batch_size must be <= n = 10, got 11"),
        ((10, 2), {"seed": -1}, ValueError, "seed must be >= 0, got -1"),
        ((10, 2), {"seed": 1.5}, TypeError, "seed must be an int"),
        ((10, 2), {"seed": None}, TypeError, "seed must be an int"),
        ((10, 2), {"epochs": 0}, ValueError, "epochs must be >= 1, got 0"),
        ((10, 2), {"epochs": 1.0}, TypeError, "epochs must be an int"),
        ((10, 2), {"replacement": "yes"}, TypeError, "replacement must be True or False"),
        ((10, 2), {"drop_last": 1}, TypeError, "drop_last must be True or False"),
    ],
)
def test_bad_arguments_raise_at_the_call(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        minibatches(*args, **kwargs)  # not iterated: the error comes before the first batch


def test_seed_must_be_given_by_keyword():
    with pytest.raises(TypeError):
        minibatches(10, 2, 0)


# ---------------------------------------------------------------- torch's DataLoader

@pytest.mark.parametrize("n, b, drop_last", [(10, 4, False), (10, 4, True), (7, 7, False), (100, 3, False),
                                             (1797, 64, False), (1797, 64, True), (5, 1, False)])
def test_a_torch_generator_gives_the_batches_of_torchs_dataloader(n, b, drop_last):
    # Oracle: the loader itself, iterated for three epochs.
    loader = torch.utils.data.DataLoader(range(n), batch_size=b, shuffle=True, drop_last=drop_last,
                                         generator=torch.Generator().manual_seed(123))
    expected = [batch.tolist() for _ in range(3) for batch in loader]
    got = minibatches(n, b, seed=torch.Generator().manual_seed(123), drop_last=drop_last, epochs=3)
    assert [idx.tolist() for idx in got] == expected


def test_a_torch_generator_is_for_shuffled_epochs_only():
    with pytest.raises(ValueError, match=r"seed: a torch.Generator gives the batches of DataLoader\(shuffle=True\)"):
        minibatches(10, 2, seed=torch.Generator().manual_seed(0), replacement=True)
