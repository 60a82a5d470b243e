r"""Chapter 9, putting it together: checks for a torch training loop, warm-up + cosine, and choosing an optimizer.

Each check prints one line of feedback and returns a :class:`~optlib.checks.Feedback`, truthy when the answer
is right, so ``assert check_training_loop(train)`` is an nbgrader test.

The three exercises, as the chapter states them:

* ``train(model, optimizer, scheduler, train_loader, test_loader, epochs)``: the standard torch loop. For each
  epoch, for each mini-batch ``(x, y)`` of ``train_loader``: zero the gradients, ``loss =
  F.cross_entropy(model(x), y)``, backward, optimizer step; after the epoch's mini-batches, one scheduler step;
  then the accuracy on ``test_loader`` (the fraction of its examples whose largest logit is the true class).
  It returns the list of the ``epochs`` test accuracies.
* ``lr_at(k, lr, warmup_steps, total_steps, min_lr=0.0)``: the learning rate :math:`\eta_k` of the update that
  follows :math:`k` earlier ones, with :math:`W` = ``warmup_steps`` and :math:`T` = ``total_steps``
  (:math:`1 \le W < T`):

  .. math::

      \eta_k = \begin{cases}
          \eta\,\dfrac{k + 1}{W + 1} & k < W \\[1ex]
          \eta_{\min} + \tfrac12(\eta - \eta_{\min})\Bigl(1 + \cos\dfrac{\pi \min(k - W,\, T - W)}{T - W}\Bigr)
              & k \ge W
      \end{cases}

  a linear warm-up in equal steps that reaches :math:`\eta` at :math:`k = W`, where a cosine from :math:`\eta`
  to :math:`\eta_{\min}` takes over and ends at :math:`k = T`, then stays. It is optlib's
  ``schedules.linear_warmup(schedules.cosine(lr, T - W, min_lr), W, start_factor=1 / (W + 1))``, and torch's
  ``SequentialLR([LinearLR(start_factor=1 / (W + 1), total_iters=W), CosineAnnealingLR(T_max=T - W,
  eta_min=min_lr)], milestones=[W])`` up to :math:`k = T` (after which torch's cosine rises again).
* ``choices``: a dict from each of five problems (``PROBLEMS``) to the name of one of the book's optimizers
  (``OPTIMIZERS``).
"""
import functools
import math
import re
import reprlib
import warnings
from collections.abc import Mapping

import numpy as np

from ..schedules import cosine, linear_warmup
from ._core import close, floats, fmt, report, run

__all__ = ["check_training_loop", "check_warmup_cosine", "check_optimizer_choice"]


# ---------------------------------------------------------------------------------------------------------------------
# The training loop.
#
# The check builds a small problem of its own (three classes of points in 4-D, a 4-6-3 tanh network in float32,
# plain SGD with lr 0.5 halved after every epoch by an ExponentialLR) and hands the student's train spies: an
# optimizer and a scheduler that log their calls, loaders that log every pass and batch, and a hook on every
# parameter that logs each backward pass and whether the gradient it adds to was already nonzero. The student's
# accuracies and trained parameters are compared with a loop of the check's own; if they differ, the log says
# which part of the loop is wrong, and a table of wrong accuracies (percentages, counts, one batch, the loss)
# names what was returned. 60 training examples in batches of 16 (the last of 12) and 45 test examples in
# batches of 20 (the last of 5), so that a batch's accuracy, or an average of batch accuracies, is not the test
# set's; 3 epochs, so that a scheduler stepped once per batch, never, or too early gives another learning rate.

_EPOCHS = 3
_N_TRAIN, _N_TEST, _TRAIN_BATCH, _TEST_BATCH = 60, 45, 16, 20
_N_BATCHES, _N_TEST_BATCHES = math.ceil(_N_TRAIN / _TRAIN_BATCH), math.ceil(_N_TEST / _TEST_BATCH)
_LR, _GAMMA = 0.5, 0.5
_CALL = f"train(model, optimizer, scheduler, train_loader, test_loader, epochs={_EPOCHS})"
_ACC_RTOL, _ACC_ATOL = 1e-5, 1e-6  # float32 sums of 0s and 1s, or Python fractions
_PARAM_RTOL, _PARAM_ATOL = 1e-4, 1e-6  # float32; any mistake moves them far more


@functools.cache
def _arrays():
    """The data and the initial weights, as NumPy arrays drawn from a seeded Generator (torch's RNG untouched)."""
    rng = np.random.default_rng(0)
    centers = np.array([[1.0, 0.0, 0.5, -0.5], [-0.5, 1.0, 0.0, 0.5], [0.0, -1.0, -0.5, 0.0]])

    def sample(n):
        y = rng.integers(0, 3, size=n)
        return (centers[y] + rng.normal(size=(n, 4))).astype(np.float32), y.astype(np.int64)

    train, test = sample(_N_TRAIN), sample(_N_TEST)
    weights = [rng.normal(scale=0.5, size=shape).astype(np.float32) for shape in [(6, 4), (6,), (3, 6), (3,)]]
    return train, test, weights


def _model():
    import torch
    from torch import nn

    # float32 whatever torch.set_default_dtype says (chapter 9 sets float64)
    model = nn.Sequential(nn.Linear(4, 6, dtype=torch.float32), nn.Tanh(), nn.Linear(6, 3, dtype=torch.float32))
    with torch.no_grad():
        for p, w in zip(model.parameters(), _arrays()[2]):
            p.copy_(torch.from_numpy(w))
    return model


def _tensors():
    import torch

    (x, y), (x_test, y_test), _ = _arrays()
    return torch.tensor(x), torch.tensor(y), torch.tensor(x_test), torch.tensor(y_test)  # copies, for each run


def _reference(reduction="mean"):
    """The loop of the exercise, written here: per epoch, the test accuracy and what wrong answers would return."""
    import torch
    import torch.nn.functional as F

    x, y, x_test, y_test = _tensors()
    model = _model()
    optimizer = torch.optim.SGD(model.parameters(), lr=_LR)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=_GAMMA)
    epochs = []
    for _ in range(_EPOCHS):
        for start in range(0, _N_TRAIN, _TRAIN_BATCH):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x[start:start + _TRAIN_BATCH]), y[start:start + _TRAIN_BATCH],
                                   reduction=reduction)
            loss.backward()
            optimizer.step()
        scheduler.step()
        with torch.no_grad():
            right = [int((model(x_test[s:s + _TEST_BATCH]).argmax(1) == y_test[s:s + _TEST_BATCH]).sum())
                     for s in range(0, _N_TEST, _TEST_BATCH)]
            sizes = [len(y_test[s:s + _TEST_BATCH]) for s in range(0, _N_TEST, _TEST_BATCH)]
            epochs.append({
                "accuracy": sum(right) / _N_TEST,
                "percent": 100 * sum(right) / _N_TEST,
                "count": sum(right),
                "per_batch_count": sum(right) / _N_TEST_BATCHES,
                "last_batch": right[-1] / sizes[-1],
                "batch_mean": float(np.mean(np.divide(right, sizes))),
                "test_loss": float(F.cross_entropy(model(x_test), y_test)),
                "train_loss": float(loss),
                "train_accuracy": float((model(x).argmax(1) == y).double().mean()),
            })
    return epochs, [p.detach().clone() for p in model.parameters()]


@functools.cache
def _reference_run():
    """The reference loop's outcome, computed once: it never changes."""
    return _reference()


# What was returned, when it is not the test accuracies: each is a per-epoch quantity of the reference run.
_VALUE_MISTAKES = [
    ("percent", "It returns percentages: an accuracy here is the fraction of the test examples classified "
                "correctly, a number between 0 and 1."),
    ("count", "It returns the number of test examples classified correctly, not the fraction: divide by how many "
              "test examples there are, so that the accuracy is between 0 and 1."),
    ("per_batch_count", "It divides the number of correct test examples by the number of test batches, not by the "
                        "number of test examples."),
    ("last_batch", "It returns the accuracy of the last test batch only: the accuracy of an epoch counts the correct "
                   "predictions over all the test batches."),
    ("batch_mean", "It averages the accuracies of the test batches, but the last batch is smaller than the others, "
                   "so its examples weigh more: count the correct predictions over the whole test set instead."),
    ("test_loss", "It returns the test loss, not the accuracy: the accuracy is the fraction of test examples whose "
                  "predicted class (the largest logit) is the true one."),
    ("train_loss", "It returns the loss of the epoch's last training batch, not an accuracy on the test data."),
    ("train_accuracy", "It returns the accuracy on the training data, not on test_loader: the examples the model "
                       "was trained on overstate how well it does on new ones."),
]

_NEVER_STEPS = "It never steps the optimizer: the parameters never change, so the model learns nothing."
_OWN_OPTIMIZER = ("It trains with an optimizer of its own, not the one passed in: the loop must step the optimizer "
                  "(and the scheduler) it is given, whose settings the caller chose.")
_NO_BACKWARD = ("It never runs the backward pass of the loss: no gradient is ever computed, so the optimizer has "
                "nothing to step with.")
_STEP_BEFORE_BACKWARD = ("It steps the optimizer before the backward pass: each step uses stale gradients (the "
                         "previous batch's, or none at all), not those of the batch just seen.")
_ZERO_AFTER_BACKWARD = ("It zeroes the gradients between the backward pass and the optimizer step: the step finds "
                        "no gradient, so the parameters never move.")
_NEVER_ZEROED = ("It never zeroes the gradients: backward adds to the gradients already stored, so each step uses "
                 "the sum of every gradient so far, not the batch's own.")
_ZEROED_PER_EPOCH = ("It zeroes the gradients once per epoch, not before every mini-batch: within an epoch, "
                     "backward adds each batch's gradient to the earlier batches'.")
_SOMETIMES_ZEROED = ("Some backward passes add to gradients left over from an earlier batch: the gradients must be "
                     "zeroed before every mini-batch's backward pass.")
_STEPS_PER_BATCH = "It takes {} optimizer steps for one mini-batch; the loop takes exactly one per batch."
_TRAIN_DURING_EVAL = ("It updates the model during evaluation: steps on the test batches train on the test data, so "
                      "the accuracy no longer measures how the model does on data it has not seen.")
_EPOCH_COUNT = "It trains for {} epochs (passes over train_loader that step the optimizer), not epochs = {}."
_PART_EPOCH = "It trains on only {} of train_loader's {} mini-batches in an epoch; an epoch uses all of them."
_SCHED_NEVER = ("It never steps the scheduler: the learning rate stays at its initial value, so the schedule is "
                "never applied.")
_OWN_SCHEDULER = ("It changes the learning rate with a scheduler of its own, not the one passed in: step the "
                  "scheduler the loop is given.")
_SCHED_PER_BATCH = ("It steps the scheduler after every mini-batch: this schedule counts epochs, so the learning "
                    "rate decays {} times too fast.")
_SCHED_BEFORE = ("It steps the scheduler before the optimizer's first step: every epoch runs at the next epoch's "
                 "learning rate and the initial one is never used (torch warns about this order).")
_SCHED_COUNT = ("It steps the scheduler {} times in {} epochs: the schedule moves on once per epoch, after the "
                "epoch's mini-batches.")
_SCHED_INSIDE = ("It steps the scheduler once per epoch, but between mini-batches of the epoch: the epoch's "
                 "remaining batches then run at the next epoch's learning rate.")
_RETURNS_NOTHING = ("It returns nothing (None): the loop must return its list of test accuracies, one per epoch, "
                    "for the caller to plot or compare.")
_NOT_A_LIST = "It returns {}, not a list of numbers: return the test accuracies, one per epoch."
_PER_BATCH = ("It returns one accuracy per mini-batch ({} numbers for {} epochs of {} batches): the loop returns "
              "one test accuracy per epoch, measured after the epoch's batches.")
_PER_TEST_BATCH = ("It returns one accuracy per test batch ({} numbers): an epoch's accuracy is one number, over the "
                   "whole test set.")
_WITH_INITIAL = ("It returns {} accuracies for {} epochs: the first is measured before any training; the loop "
                 "returns one per epoch, each after that epoch's training.")
_WRONG_LENGTH = "It returns {} numbers for {} epochs: the loop returns one test accuracy per epoch."
_EVAL_ON_TRAIN = ("It evaluates on the training data, not on test_loader: the examples the model was trained on "
                  "overstate how well it does on new ones.")
_EVAL_PARTIAL = ("It evaluates on only {} of test_loader's {} batches: an epoch's accuracy is over every test "
                 "example.")
_EVAL_NEVER = ("It never goes through test_loader: the accuracies must be measured on the test data, once per "
               "epoch, after the epoch's training.")
_EVAL_WHEN = ("It does not evaluate on test_loader after every epoch's training: an epoch's accuracy is measured "
              "once its mini-batches are done.")
_NOT_FRACTION = ("After epoch {} it returns {}, which is not a fraction between 0 and 1: the accuracy is the share "
                 "of the test examples classified correctly.")
_SUMMED_LOSS = ("It sums the loss over the mini-batch instead of averaging it: the steps then grow with the batch "
                "size (here up to 16 times too large).")
_WRONG_PARAMS = ("Its accuracies are right, but the trained parameters differ from the loop described (an extra "
                 "step, another loss, or a model changed after training?).")
_WRONG_TRAINING = ("The loop's calls are in the right order, but the trained parameters differ from the loop "
                   "described: check the loss (cross-entropy of the model's outputs, averaged over the batch).")
_TRAIN_OK = "train is correct: a step per batch, a schedule step and a test per epoch."


def _spies(log):
    """The model, optimizer, scheduler and loaders the student's train gets, each writing what it sees to ``log``."""
    import torch

    class Optimizer(torch.optim.SGD):
        def zero_grad(self, set_to_none=True):
            log.append(("zero",))
            return super().zero_grad(set_to_none)

        def step(self, closure=None):
            if closure is not None:  # a closure computes this step's gradients inside the step: log the step after
                loss = super().step(closure)
                log.append(("step", True, self.param_groups[0]["lr"]))
                return loss
            params = self.param_groups[0]["params"]
            grads = any(p.grad is not None and bool(torch.count_nonzero(p.grad)) for p in params)
            log.append(("step", grads, self.param_groups[0]["lr"]))
            return super().step()

    class Scheduler(torch.optim.lr_scheduler.ExponentialLR):
        armed = False  # the constructor steps once: not the student's call

        def step(self, *args, **kwargs):
            if self.armed:
                log.append(("sched",))
            return super().step(*args, **kwargs)

    model = _model()
    for i, p in enumerate(model.parameters()):
        # Runs when backward has computed this parameter's gradient, before adding it to p.grad.
        p.register_hook(lambda grad, i=i, p=p: log.append(
            ("grad", i, p.grad is not None and bool(torch.count_nonzero(p.grad)))))
    optimizer = Optimizer(model.parameters(), lr=_LR)
    scheduler = Scheduler(optimizer, gamma=_GAMMA)
    scheduler.armed = True
    x, y, x_test, y_test = _tensors()
    loaders = _Loader("train_loader", x, y, _TRAIN_BATCH, log), _Loader("test_loader", x_test, y_test, _TEST_BATCH, log)
    return model, optimizer, scheduler, loaders


class _Dataset:
    """What a loader's ``dataset`` is for a training loop: its length, and its examples."""

    def __init__(self, x, y):
        self._x, self._y = x, y

    def __len__(self):
        return len(self._y)

    def __getitem__(self, i):
        return self._x[i].clone(), self._y[i].clone()

    @property
    def tensors(self):
        """The inputs and the labels, as a TensorDataset has them (copies: the loader's stay as they are)."""
        return self._x.clone(), self._y.clone()


class _Loader:
    """A DataLoader without shuffling (so that the check can retrace the loop) that logs every pass and batch."""

    def __init__(self, name, x, y, batch_size, log):
        self.name, self.dataset, self.batch_size = name, _Dataset(x, y), batch_size
        self._x, self._y, self._log, self._passes = x, y, log, 0

    def __len__(self):
        return math.ceil(len(self._y) / self.batch_size)

    def __repr__(self):
        return f"<{self.name}: {len(self._y)} examples in batches of {self.batch_size}>"

    def __iter__(self):
        self._passes += 1
        self._log.append(("iter", self.name, self._passes))
        return self._batches(self._passes)

    def _batches(self, n):
        for i, start in enumerate(range(0, len(self._y), self.batch_size)):
            self._log.append(("batch", self.name, n, i))
            yield self._x[start:start + self.batch_size].clone(), self._y[start:start + self.batch_size].clone()
        self._log.append(("end", self.name, n))


def _read_log(log):
    """The student's loop, from the log: the loaders' passes, and what happened after each batch.

    Returns ``(passes, segments, scheds)``: ``passes`` maps ``(loader, n)`` to the log positions of its batches
    (and ``"end"`` if it ran to the end); ``segments`` maps each batch ``(loader, n, i)`` to the tokens logged after
    it, up to the next batch of either loader: ``("B", accumulated, position)`` for a backward pass,
    ``("S", had_gradient, lr, position)`` for an optimizer step, ``("Z", position)`` for the optimizer's zero_grad;
    ``segments["before"]`` holds what was logged before the first batch; ``scheds`` holds the log positions of the
    scheduler's steps.
    """
    passes, segments, scheds = {}, {}, []
    where, seen = "before", set()
    segments[where] = []
    for pos, entry in enumerate(log):
        kind = entry[0]
        if kind == "iter":
            passes[entry[1:]] = {"batches": [], "end": False, "start": pos}
        elif kind == "batch":
            passes[entry[1:3]]["batches"].append(pos)
            where, seen = entry[1:], set()
            segments[where] = []
        elif kind == "end":
            passes[entry[1:]]["end"] = True
        elif kind == "grad":
            # One backward pass logs each parameter once, in a row: a parameter seen again starts the next one.
            if log[pos - 1][0] != "grad" or entry[1] in seen:
                seen = set()
                segments[where].append(["B", False, pos])
            seen.add(entry[1])
            segments[where][-1][1] |= entry[2]
        elif kind == "zero":
            segments[where].append(("Z", pos))
        elif kind == "step":
            segments[where].append(("S", entry[1], entry[2], pos))
        elif kind == "sched":
            scheds.append(pos)
    return passes, segments, scheds


def _training_problem(log, params_moved):
    """What is wrong with the training part of the loop (steps, gradients, scheduler), or None."""
    passes, segments, scheds = _read_log(log)
    steps = [t for seg in segments.values() for t in seg if t[0] == "S"]
    if not steps:
        return _OWN_OPTIMIZER if params_moved else _NEVER_STEPS
    if any(t[0] == "S" for key, seg in segments.items() if key != "before" and key[0] == "test_loader" for t in seg):
        return _TRAIN_DURING_EVAL
    if not any(t[0] == "B" for seg in segments.values() for t in seg):
        return _NO_BACKWARD
    # The batches of train_loader's passes that train (take steps): the student's epochs.
    epochs = [key for key, p in passes.items() if key[0] == "train_loader"
              and any(t[0] == "S" for i in range(len(p["batches"])) for t in segments[key + (i,)])]
    batches = [key + (i,) for key in epochs for i in range(len(passes[key]["batches"]))]
    found = set()
    for batch in batches:
        seg = segments[batch]
        kinds = [t[0] for t in seg]
        if "S" in kinds and ("B" not in kinds or kinds.index("S") < kinds.index("B")):
            found.add("step before backward")
        for k, t in enumerate(seg):
            if t[0] == "S" and not t[1] and "B" in kinds[:k]:
                found.add("zeroed after backward")
        if kinds.count("S") > 1:
            found.add("steps")
    for name, message in [("step before backward", _STEP_BEFORE_BACKWARD),
                          ("zeroed after backward", _ZERO_AFTER_BACKWARD)]:
        if name in found:
            return message
    accumulated = [any(t[0] == "B" and t[1] for t in segments[b]) for b in batches]
    if any(accumulated):
        if all(accumulated[1:]):
            return _NEVER_ZEROED
        firsts = [b[2] == 0 for b in batches]
        if all(acc != first for acc, first in zip(accumulated, firsts)):
            return _ZEROED_PER_EPOCH
        return _SOMETIMES_ZEROED
    if "steps" in found:
        most = max(sum(t[0] == "S" for t in segments[b]) for b in batches)
        return _STEPS_PER_BATCH.format(most)
    if len(epochs) != _EPOCHS:
        return _EPOCH_COUNT.format(len(epochs), _EPOCHS)
    trained = [sum(any(t[0] == "S" for t in segments[key + (i,)]) for i in range(len(passes[key]["batches"])))
               for key in epochs]
    short = [n for n in trained if n < _N_BATCHES]
    if short:
        return _PART_EPOCH.format(short[0], _N_BATCHES)
    # The scheduler: once per epoch, after the epoch's last step and before the next epoch's first.
    positions = [[t[-1] for i in range(len(passes[key]["batches"])) for t in segments[key + (i,)] if t[0] == "S"]
                 for key in epochs]
    if not scheds:
        lrs = {t[2] for t in steps}
        return _OWN_SCHEDULER if len(lrs) > 1 else _SCHED_NEVER
    if len(scheds) == len(steps) and len(steps) > _EPOCHS:
        return _SCHED_PER_BATCH.format(_N_BATCHES)
    if scheds[0] < positions[0][0]:
        return _SCHED_BEFORE if len(scheds) == _EPOCHS else _SCHED_COUNT.format(len(scheds), _EPOCHS)
    if len(scheds) != _EPOCHS:
        return _SCHED_COUNT.format(len(scheds), _EPOCHS)
    ends = [p[-1] for p in positions]
    starts = [p[0] for p in positions[1:]] + [len(log)]
    if not all(end < s < start for s, end, start in zip(scheds, ends, starts)):
        return _SCHED_INSIDE
    return None


def _evaluation_problem(log):
    """What is wrong with where the loop measures its accuracies, or None."""
    passes, segments, _ = _read_log(log)
    trains = sorted(p["start"] for key, p in passes.items() if key[0] == "train_loader"
                    and any(t[0] == "S" for i in range(len(p["batches"])) for t in segments[key + (i,)]))
    if not trains:
        return None
    # The windows between an epoch's last step and the next epoch's first: where the epoch is evaluated.
    steps = sorted(t[-1] for seg in segments.values() for t in seg if t[0] == "S")
    bounds = [max((s for s in steps if s < nxt), default=-1) for nxt in trains[1:] + [len(log)]]
    windows = list(zip(bounds, trains[1:] + [len(log)]))

    def evaluated(name, start, stop, complete=True):
        """The passes over a loader begun between start and stop: complete ones, or those cut short."""
        return [key for key, p in passes.items() if key[0] == name and start < p["start"] < stop
                and (len(p["batches"]) == _SIZES[name] if complete else 0 < len(p["batches"]) < _SIZES[name])]

    tested = [evaluated("test_loader", a, b) for a, b in windows]
    if all(tested):
        return None
    if all(evaluated("train_loader", a, b) for a, b in windows) and not any(tested):
        return _EVAL_ON_TRAIN
    partial = [key for a, b in windows for key in evaluated("test_loader", a, b, complete=False)]
    if partial:
        return _EVAL_PARTIAL.format(min(len(passes[key]["batches"]) for key in partial), _N_TEST_BATCHES)
    if not any(key[0] == "test_loader" for key in passes):
        return _EVAL_NEVER
    return _EVAL_WHEN


_SIZES = {"train_loader": _N_BATCHES, "test_loader": _N_TEST_BATCHES}  # batches in a pass


def _read_accuracies(out, rights):
    """The student's accuracies as a list of floats: ``(values, None)`` or ``(None, message)``."""
    if out is None:
        return None, _RETURNS_NOTHING
    if hasattr(out, "detach"):  # a torch tensor
        out = out.detach().cpu().numpy()
    if isinstance(out, np.ndarray) and out.ndim == 1:
        out = list(out)
    if isinstance(out, (str, bytes, Mapping)) or not isinstance(out, (list, tuple)):
        return None, _NOT_A_LIST.format(reprlib.repr(out))
    try:
        values = [float(v) for v in out]
    except (TypeError, ValueError, RuntimeError):
        return None, _NOT_A_LIST.format(reprlib.repr(out))
    n = len(values)
    if n == _EPOCHS * _N_BATCHES:
        return None, _PER_BATCH.format(n, _EPOCHS, _N_BATCHES)
    if n == _EPOCHS * _N_TEST_BATCHES:
        return None, _PER_TEST_BATCH.format(n)
    if n == _EPOCHS + 1 and _same(values[1:], rights):
        return None, _WITH_INITIAL.format(n, _EPOCHS)
    if n != _EPOCHS:
        return None, _WRONG_LENGTH.format(n, _EPOCHS)
    return values, None


def _same(values, wants, rtol=_ACC_RTOL, atol=_ACC_ATOL):
    return np.allclose(values, wants, rtol=rtol, atol=atol)


def _same_params(model, params):
    return all(p.shape == q.shape and bool(np.allclose(p.detach().numpy(), q.numpy(), rtol=_PARAM_RTOL,
                                                       atol=_PARAM_ATOL))
               for p, q in zip(model.parameters(), params))


def check_training_loop(train):
    """Check ``train(model, optimizer, scheduler, train_loader, test_loader, epochs)``, the standard torch loop.

    For each epoch, for each mini-batch ``(x, y)`` of ``train_loader``: zero the gradients, compute
    ``F.cross_entropy(model(x), y)``, run its backward pass and step the optimizer; after the epoch's mini-batches,
    step the scheduler once, and measure the accuracy on ``test_loader`` (the fraction of its examples whose
    largest logit is the true class). Return the list of the test accuracies, one per epoch.

    The check runs ``train`` on a small problem of its own with spies for an optimizer, a scheduler and loaders,
    compares the accuracies and the trained parameters with its own loop, and names what differs. torch's random
    state, and whether gradients are enabled, are the same after the check as before.

    >>> import torch
    >>> import torch.nn.functional as F
    >>> def train(model, optimizer, scheduler, train_loader, test_loader, epochs):
    ...     accuracies = []
    ...     for epoch in range(epochs):
    ...         for x, y in train_loader:
    ...             optimizer.zero_grad()
    ...             loss = F.cross_entropy(model(x), y)
    ...             loss.backward()
    ...             optimizer.step()
    ...         scheduler.step()
    ...         correct = 0
    ...         with torch.no_grad():
    ...             for x, y in test_loader:
    ...                 correct += (model(x).argmax(dim=1) == y).sum().item()
    ...         accuracies.append(correct / len(test_loader.dataset))
    ...     return accuracies
    >>> _ = check_training_loop(train)
    ✔ train is correct: a step per batch, a schedule step and a test per epoch.
    """
    import torch

    log = []
    with torch.random.fork_rng(devices=[]), torch.enable_grad(), warnings.catch_warnings():
        # torch warns about some mistakes (a scheduler stepped first); the check names them instead.
        warnings.simplefilter("ignore")
        model, optimizer, scheduler, (train_loader, test_loader) = _spies(log)
        initial = [p.detach().clone() for p in model.parameters()]
        boxed, problem = run(lambda: (train(model, optimizer, scheduler, train_loader, test_loader, _EPOCHS),))
        if problem:
            if "modified by an inplace operation" in problem and _training_problem(log, True) == _STEP_BEFORE_BACKWARD:
                return report(False, _STEP_BEFORE_BACKWARD)  # torch's error, the backward after a step, explained
            return report(False, f"{_CALL}: {problem}")
        epochs, params = _reference_run()
    rights = [e["accuracy"] for e in epochs]
    values, shape_problem = _read_accuracies(boxed[0], rights)
    if values is not None and _same(values, rights) and _same_params(model, params):
        return report(True, _TRAIN_OK)
    moved = not all(torch.equal(p.detach(), q) for p, q in zip(model.parameters(), initial))
    message = _training_problem(log, moved)
    if message:
        return report(False, message)
    if shape_problem:
        return report(False, shape_problem)
    message = _evaluation_problem(log)
    if message:
        return report(False, message)
    if not _same(values, rights):
        for key, message in _VALUE_MISTAKES:
            if _same(values, [e[key] for e in epochs]):
                return report(False, message)
        for k, (value, right) in enumerate(zip(values, rights), start=1):
            if not 0 <= value <= 1:
                return report(False, _NOT_FRACTION.format(k, fmt(value)))
        k, value, right = next((k, v, r) for k, (v, r) in enumerate(zip(values, rights), start=1)
                               if not _same([v], [r]))
        if _same_params(model, params):
            return report(False, f"After epoch {k} it returns an accuracy of {value:.4g}; the model it trained "
                                 f"has a test accuracy of {right:.4g}.")
    if _same_params(model, _reference(reduction="sum")[1]):
        return report(False, _SUMMED_LOSS)
    return report(False, _WRONG_PARAMS if values is not None and _same(values, rights) else _WRONG_TRAINING)


# ---------------------------------------------------------------------------------------------------------------------
# Warm-up and cosine.
#
# lr_at(k, lr, warmup_steps, total_steps, min_lr=0.0), for k from 0 to three updates past total_steps, on four
# cases: min_lr left to its default (0), and given; a warm-up of one update (W = 1, where the ramp is a single
# step of lr / 2); lr and min_lr apart by a factor of 10 and of 30, so that a mistake in either shows. The warm-up
# (k < W) and the rest (k >= W) are diagnosed apart: a student with one mistake in each hears of the warm-up's
# first.

# lr, warmup_steps, total_steps, min_lr (None: left to its default)
_SCHEDULE_CASES = [(0.1, 5, 20, None), (1.0, 3, 10, 0.1), (0.003, 10, 40, 1e-4), (0.5, 1, 6, 0.05)]
_PAST = 3  # updates past total_steps


def _lr_at(k, lr, warmup_steps, total_steps, min_lr=0.0):
    """The reference: optlib's warm-up and cosine, with the warm-up starting at lr / (W + 1)."""
    after = cosine(lr, total_steps=total_steps - warmup_steps, min_lr=min_lr)
    return linear_warmup(after, warmup_steps=warmup_steps, start_factor=1 / (warmup_steps + 1))(k)


def _cos(k, lr, W, T, m, length=None, start=None, turn=math.pi, clamp=True, low=None):
    """A cosine decay from lr to m over ``length`` (T - W) updates counted from ``start`` (W), optionally unclamped."""
    length = T - W if length is None else length
    start = W if start is None else start
    t = k - start
    if clamp:
        t = min(t, length)
    return (m if low is None else low) + 0.5 * (lr - (m if low is None else low)) * (1 + math.cos(turn * t / length))


# The wrong warm-ups: (k, lr, W, T, min_lr) -> the rate for k < W, with their messages.
_WARMUP_MISTAKES = [
    (lambda k, lr, W, T, m: lr * k / W,
     "Its warm-up starts at 0: the first update (k = 0) has a learning rate of 0 and does nothing; the warm-up "
     "starts one step of the ramp above 0."),
    (lambda k, lr, W, T, m: lr * (k + 1) / W,
     "Its warm-up is one update early: it reaches lr at k = W - 1, then the cosine starts at lr again at k = W; "
     "the ramp reaches lr exactly where the cosine takes over."),
    (lambda k, lr, W, T, m: m + (lr - m) * (k + 1) / (W + 1),
     "Its warm-up starts from min_lr: min_lr is where the cosine ends; the warm-up is a fraction of lr."),
]
_WARMUP_ZERO = _WARMUP_MISTAKES[0][1]
_WARMUP_EARLY = ("Its warm-up reaches lr {} update{} early: the ramp rises in equal steps and reaches lr exactly at "
                 "k = W, where the cosine takes over.")
_NO_WARMUP = ("It has no warm-up: the first update already has the full learning rate; the warm-up rises to it "
              "in equal steps.")
_WARMUP_LATE = ("Its warm-up is still below lr at k = W, so the rate jumps up where the cosine takes over: the ramp "
                "reaches lr exactly at k = W.")
_RISES = ("After total_steps its rate rises again (torch's CosineAnnealingLR does that): this schedule stays at "
          "min_lr after the last step of the cosine.")

# The wrong decays: (k, lr, W, T, min_lr) -> the rate for k >= W, with their messages.
_DECAY_MISTAKES = [
    (lambda k, lr, W, T, m: _cos(k, lr, W, T, m, length=T),
     "Its cosine lasts too long: it spreads over total_steps updates after the warm-up, so at k = total_steps it has "
     "not reached min_lr; the warm-up's updates count in total_steps."),
    (lambda k, lr, W, T, m: _cos(k, lr, W, T, m, length=T) if k - W < T - W else m,
     "Its cosine lasts too long and then drops to min_lr at k = total_steps: the warm-up's updates count in "
     "total_steps, so the decay has fewer updates."),
    (lambda k, lr, W, T, m: _cos(k, lr, W, T, m, start=0),
     "Its cosine is counted from k = 0, not from the end of the warm-up: at k = W the rate jumps down from lr "
     "instead of starting its decay there."),
    (lambda k, lr, W, T, m: _cos(k, lr, W, T, m, start=0, length=T),
     "Its cosine is counted from k = 0 over total_steps, not from the end of the warm-up: at k = W the rate jumps "
     "down from lr instead of starting its decay there."),
    (lambda k, lr, W, T, m: _cos(k, lr, W, T, m, low=0.0),
     "It ignores min_lr: the cosine decays to 0 instead of to min_lr."),
    (lambda k, lr, W, T, m: m + _cos(k, lr, W, T, m, low=0.0),
     "It adds min_lr to a cosine that goes from lr to 0: it starts above lr; the cosine goes from lr down to min_lr."),
    (lambda k, lr, W, T, m: max(m, _cos(k, lr, W, T, m, low=0.0)),
     "It clips at min_lr a cosine that goes to 0: the cosine itself must end at min_lr, smoothly."),
    (lambda k, lr, W, T, m: _cos(k, lr, W, T, m, clamp=False), _RISES),
    (lambda k, lr, W, T, m: _cos(k, lr, W, T, m, turn=2 * math.pi),
     "Its cosine makes a whole period and comes back up to lr at k = total_steps: the decay is half a period, "
     "from the top of the cosine to its bottom."),
    (lambda k, lr, W, T, m: _cos(k, lr, W, T, m, turn=math.pi / 2),
     "Its cosine makes only a quarter of a period: at k = total_steps it is halfway down; the decay is half a "
     "period, from the top of the cosine to its bottom."),
    (lambda k, lr, W, T, m: _cos(k, lr, W, T, m, turn=180),
     "Its angle is in degrees, but cos takes radians: the rate oscillates instead of decaying once."),
    (lambda k, lr, W, T, m: m + (lr - m) * (1 - min(k - W, T - W) / (T - W)),
     "It decays linearly, not along a cosine: the cosine decays slowly at first and last, fastest in the middle."),
    (lambda k, lr, W, T, m: _cos(k, lr, W, T, m, start=W - 1),
     "Its cosine starts one update early: at k = W it is already below lr, and it reaches min_lr one update before "
     "total_steps."),
    (lambda k, lr, W, T, m: lr if k == W else _cos(k, lr, W, T, m, start=W + 1),
     "Its cosine starts one update late: the rate stays at lr for two updates, and it reaches min_lr only one "
     "update after total_steps."),
]
_DEFAULT_MIN_LR = ("Its default min_lr is not the signature's: with min_lr given it is right, but left out it must "
                   "be 0.0.")
_SCHEDULE_OK = "lr_at is correct: warm-up in equal steps to lr, cosine to min_lr, then flat."
_NOT_ONE_NUMBER = ("{} returned {}: lr_at returns one number, the learning rate of the update after k earlier ones, "
                   "not a list of rates.")


def _schedule_label(k, lr, W, T, m):
    extra = "" if m is None else f", min_lr={m}"
    return f"lr_at(k={k}, lr={lr}, warmup_steps={W}, total_steps={T}{extra})"


def _schedule_calls():
    return [(k, lr, W, T, m) for lr, W, T, m in _SCHEDULE_CASES for k in range(T + _PAST + 1)]


def _call_lr_at(lr_at, k, lr, W, T, m, explicit=False):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if m is None and not explicit:
            return run(lambda: lr_at(k, lr, W, T))
        return run(lambda: lr_at(k, lr, W, T, 0.0 if m is None else m))


def _rates(lr_at, explicit=False):
    """The student's rates for every call, as floats: ``(rates, None)`` or ``(None, message)``."""
    rates = []
    for call in _schedule_calls():
        out, problem = _call_lr_at(lr_at, *call, explicit=explicit)
        if problem:
            return None, f"{_schedule_label(*call)}: {problem}"
        arr = floats(out.detach().cpu() if hasattr(out, "detach") else out)
        if arr is None:
            return None, f"{_schedule_label(*call)} returned {fmt(out)}, which is not a number."
        if arr.shape != ():
            what = fmt(out) if arr.size <= 3 else f"{arr.size} numbers"
            return None, _NOT_ONE_NUMBER.format(_schedule_label(*call), what)
        rates.append(float(arr))
    return rates, None


def _min_lr(m):
    return 0.0 if m is None else m  # a call that leaves min_lr out gets the default


def _diagnose_part(calls, rates, part, mistakes):
    """The message of the first mistake that explains every rate of the calls in ``part``, or None."""
    picked = [(c, r) for c, r in zip(calls, rates) if part(*c)]
    for wrong, message in mistakes:
        with np.errstate(all="ignore"):
            if all(close(r, wrong(*c[:4], _min_lr(c[4])), 1e-9, 1e-15) for c, r in picked):
                return message
    return None


def _warmup_shape(calls, rates):
    """For a straight but wrong ramp: whether it reaches lr early or late (the first case with W >= 2 decides)."""
    for (lr, W, T, m) in _SCHEDULE_CASES:
        if W < 2:
            continue
        ramp = [r for (k, *case), r in zip(calls, rates) if tuple(case) == (lr, W, T, m) and k < W]
        steps = np.diff(ramp)
        if ramp[0] <= 0 or steps[0] <= 0 or not np.allclose(steps, steps[0], rtol=1e-9, atol=1e-15):
            return None
        reach = (lr - ramp[0]) / steps[0]  # the k at which the line reaches lr
        if abs(reach - round(reach)) > 1e-6 or round(reach) == W:
            return None
        early = W - round(reach)
        return _WARMUP_EARLY.format(early, "" if early == 1 else "s") if early > 0 else _WARMUP_LATE
    return None


def check_warmup_cosine(lr_at):
    r"""Check ``lr_at(k, lr, warmup_steps, total_steps, min_lr=0.0)``: linear warm-up, then cosine decay.

    The learning rate of the update after ``k`` earlier ones (``k = 0`` for the first), with ``W`` =
    ``warmup_steps`` and ``T`` = ``total_steps``: ``lr * (k + 1) / (W + 1)`` for ``k < W``, a warm-up in equal
    steps that reaches ``lr`` at ``k = W``; from there a cosine from ``lr`` down to ``min_lr``, over the ``T - W``
    updates left, :math:`\eta_{\min} + \tfrac12(\eta - \eta_{\min})(1 + \cos(\pi \min(k - W, T - W)/(T - W)))`,
    which stays at ``min_lr`` after ``k = T``. optlib's
    ``schedules.linear_warmup(schedules.cosine(lr, T - W, min_lr), W, start_factor=1 / (W + 1))``. The answer is one
    number (a Python or NumPy float).

    >>> import math
    >>> def lr_at(k, lr, warmup_steps, total_steps, min_lr=0.0):
    ...     if k < warmup_steps:
    ...         return lr * (k + 1) / (warmup_steps + 1)
    ...     t = min(k - warmup_steps, total_steps - warmup_steps) / (total_steps - warmup_steps)
    ...     return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * t))
    >>> _ = check_warmup_cosine(lr_at)
    ✔ lr_at is correct: warm-up in equal steps to lr, cosine to min_lr, then flat.
    """
    calls = _schedule_calls()
    rates, problem = _rates(lr_at)
    if problem:
        if "missing 1 required positional argument: 'min_lr'" in problem:
            explicit, again = _rates(lr_at, explicit=True)
            if not again and all(close(r, _lr_at(*c[:4], _min_lr(c[4]))) for c, r in zip(calls, explicit)):
                return report(False, _DEFAULT_MIN_LR)
        return report(False, problem)
    rights = [_lr_at(*c[:4], _min_lr(c[4])) for c in calls]
    if all(close(r, w) for r, w in zip(rates, rights)):
        return report(True, _SCHEDULE_OK)
    for call, rate in zip(calls, rates):
        if not math.isfinite(rate):
            return report(False, f"{_schedule_label(*call)} returned {rate}, which is not finite: look for a "
                                 "division by zero.")
    wrong = [not close(r, w) for r, w in zip(rates, rights)]
    if all(c[4] is None for c, bad in zip(calls, wrong) if bad):
        explicit, again = _rates(lr_at, explicit=True)
        if not again and all(close(r, w) for r, w in zip(explicit, rights)):
            return report(False, _DEFAULT_MIN_LR)
    in_warmup = [bad for c, bad in zip(calls, wrong) if c[0] < c[2]]
    if any(in_warmup):
        message = _diagnose_part(calls, rates, lambda k, lr, W, T, m: k < W, _WARMUP_MISTAKES)
        if message is None and all(r == 0 for c, r in zip(calls, rates) if c[0] == 0):
            message = _WARMUP_ZERO
        if message is None and all(close(r, c[1]) for c, r in zip(calls, rates) if c[0] == 0):
            message = _NO_WARMUP
        message = message or _warmup_shape(calls, rates)
        if message:
            return report(False, message)
    else:
        message = _diagnose_part(calls, rates, lambda k, lr, W, T, m: k >= W, _DECAY_MISTAKES)
        if message:
            return report(False, message)
        late = [(c, r, w) for c, r, w, bad in zip(calls, rates, rights, wrong) if bad]
        if all(c[0] > c[3] and r > w for c, r, w in late):
            return report(False, _RISES)
    call, rate, right = next((c, r, w) for c, r, w, bad in zip(calls, rates, rights, wrong) if bad)
    return report(False, f"{_schedule_label(*call)} returned {rate:.6g}; expected {right:.6g}.")


# ---------------------------------------------------------------------------------------------------------------------
# Choosing an optimizer.

#: The book's optimizers, by the names the exercise uses.
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "amsgrad", "adamax",
              "nadam", "lbfgs")

#: The five problems, as the chapter states them.
PROBLEMS = {
    "resnet": "Reproduce a published result: a ResNet trained on ImageNet, in the paper with SGD with heavy-ball "
              "momentum 0.9 (torch's form), weight decay 1e-4 and a step-decay schedule. You want to match its "
              "accuracy.",
    "full_batch": "A logistic regression with a few thousand parameters on a data set that fits in memory: the loss "
                  "is smooth and convex, each gradient is over all the data (no noise), and you want the minimum to "
                  "high precision without tuning a learning rate.",
    "sparse": "Click-through prediction: a linear model over millions of sparse, hashed features, trained on a "
              "stream of mini-batches, where rare features (present in one example in ten thousand) carry much of "
              "the signal.",
    "transformer": "A transformer language model trained on mini-batches: it needs per-coordinate step sizes, and "
                   "weight decay that shrinks every weight by the same factor, not divided by the adaptive "
                   "denominator.",
    "new_network": "A new architecture on a new data set, with a budget to tune the learning rate only: everything "
                   "else stays at its default, so you want the optimizer whose defaults work on the widest range of "
                   "networks.",
}

# Why these and no others. resnet: a reproduction changes nothing, so Nesterov, however close, is another optimizer
# (He et al. 2016 train with torch's heavy-ball form). full_batch: exact gradients of a small smooth problem are what
# quasi-Newton methods with a line search are for (scikit-learn's LogisticRegression defaults to L-BFGS; Liu and
# Nocedal 1989); momentum still needs a learning rate. sparse: AdaGrad was designed for rare, informative features
# (Duchi et al. 2011, chapter 5's experiment); Adam's average forgets a feature between appearances and its momentum
# moves a weight on examples without the feature (chapter 8's waking feature), and Reddi et al.'s counterexample is
# exactly a rare, large gradient forgotten. transformer: only AdamW's decay is decoupled from the denominator
# (Loshchilov and Hutter 2019); the others' weight_decay is an L2 term in the gradient. new_network: Adam's and
# AdamW's defaults are the most tried across networks; the variants change one part and are less tried.
#: The defensible answers to each problem.
ACCEPTED = {
    "resnet": {"momentum"},
    "full_batch": {"lbfgs"},
    "sparse": {"adagrad"},
    "transformer": {"adamw"},
    "new_network": {"adam", "adamw"},
}

_ADAPTIVE = ("adagrad", "rmsprop", "adadelta", "adam", "adamw", "amsgrad", "adamax", "nadam")
_SGD_LIKE = ("sgd", "momentum", "nesterov")
_NOISY_LBFGS = ("L-BFGS needs exact, full-batch gradients: with noisy mini-batch gradients its curvature estimates "
                "and its line search break down.")


def _each(names, message):
    return {name: message for name in names}


# For each problem, what each wrong answer misses.
_CHOICE_MESSAGES = {
    "resnet": {
        "sgd": "Plain SGD drops the recipe's momentum: to reproduce a published result, train with the optimizer it "
               "used, unchanged.",
        "nesterov": "Nesterov's look-ahead is a different update (a fine choice for a new run): to reproduce a "
                    "result, use the paper's optimizer unchanged, so that a gap points to a bug, not to the change.",
        **_each(_ADAPTIVE, "The recipe's learning rate, weight decay and schedule were tuned for the paper's "
                           "optimizer; with an adaptive method they mean something else, and the run is no longer "
                           "a reproduction."),
        "lbfgs": _NOISY_LBFGS + " And it is not the paper's optimizer.",
    },
    "full_batch": {
        "sgd": "Full-batch gradient steps suffer from the conditioning of chapter 1 and need a learning rate tuned; "
               "with exact gradients, a method that models the curvature from them, with a line search, needs "
               "neither.",
        **_each(("momentum", "nesterov"),
                "Momentum speeds up gradient steps on a badly conditioned problem, but still needs a learning rate "
                "and a momentum tuned; with exact gradients, a method that models the curvature from them, with a "
                "line search, needs no tuning and converges faster."),
        **_each(_ADAPTIVE, "Adaptive per-coordinate steps were made for noisy mini-batch gradients; here every "
                           "gradient is exact, and a method that models the curvature from successive gradients, "
                           "with a line search, converges in far fewer steps with no learning rate to tune."),
    },
    "sparse": {
        **_each(_SGD_LIKE, "One learning rate for every feature must be small enough for the frequent ones, so the "
                           "weights of the rare features, which carry the signal, barely move."),
        **_each(("rmsprop", "adadelta"),
                "Its moving average forgets a rare feature's gradients between the feature's appearances; on this "
                "convex, sparse problem a per-feature accumulator that never forgets gives rare features large "
                "steps of their own."),
        **_each(("adam", "adamw", "adamax", "nadam", "amsgrad"),
                "Its momentum keeps moving a rare feature's weight on the examples without the feature, and its "
                "average of squares forgets the feature between appearances; a per-feature accumulator that never "
                "forgets was designed for this convex, sparse problem."),
        "lbfgs": "L-BFGS needs full-batch gradients, but the data come as a stream of mini-batches; and one curvature "
                 "model does not give the rare features steps of their own.",
    },
    "transformer": {
        **_each(_SGD_LIKE, "No per-coordinate step sizes: a transformer's gradients differ in scale by orders of "
                           "magnitude between its parameters, and the problem asks for adaptive steps."),
        "adam": "Adam's weight decay is an L2 term added to the gradient, so it is divided by the adaptive "
                "denominator with it: weights with large gradients are decayed less, which the problem rules out.",
        **_each(("amsgrad", "adamax", "nadam", "rmsprop", "adagrad", "adadelta"),
                "Its weight decay is an L2 term added to the gradient, so it is divided by the adaptive denominator "
                "too: weights with large gradients are decayed less, which the problem rules out."),
        "lbfgs": _NOISY_LBFGS,
    },
    "new_network": {
        **_each(_SGD_LIKE, "Its good learning rate depends on the scale of the gradients, and it usually needs a "
                           "momentum and a decay schedule tuned too; an adaptive step is about the learning rate "
                           "whatever the gradient's scale."),
        "adagrad": "AdaGrad's steps only shrink, as its sum of squared gradients only grows: on a long non-convex run "
                   "it slows to a crawl unless the learning rate is tuned to the run's length.",
        "rmsprop": "RMSprop has no bias correction (its first steps are too large, chapter 6) and no momentum: its "
                   "defaults have been tried on fewer networks than those of the method that adds both.",
        "adadelta": "At its defaults Adadelta is slow on the book's problems (chapter 7): eps, whatever the gradient, "
                    "sets its first steps, which then grow slowly; more than the learning rate would need tuning.",
        **_each(("amsgrad", "adamax", "nadam"),
                "A variant that changes one part of its parent method; its defaults have been tried on far fewer "
                "networks, and with only the learning rate to tune, the most-tried defaults are the safer bet."),
        "lbfgs": _NOISY_LBFGS + " And it stores several vectors per parameter.",
    },
}

_CHOICE_OK = "Every choice is defensible: each optimizer suits its problem."


def _name(value):
    """An optimizer name as the exercise spells it: 'L-BFGS' and ' AdamW ' are 'lbfgs' and 'adamw'."""
    return re.sub(r"[^a-z0-9]", "", value.lower())


def _quoted(names):
    return ", ".join(repr(n) for n in names)


def check_optimizer_choice(choices):
    """Check ``choices``, a dict from each of the five problems of ``PROBLEMS`` to one optimizer name.

    The names are those of ``OPTIMIZERS`` (case, spaces and hyphens do not matter: ``"L-BFGS"`` is
    ``"lbfgs"``). Every defensible answer passes (``ACCEPTED``); a wrong one hears what it misses.

    >>> _ = check_optimizer_choice({"resnet": "momentum", "full_batch": "lbfgs", "sparse": "adagrad",
    ...                             "transformer": "adamw", "new_network": "adam"})
    ✔ Every choice is defensible: each optimizer suits its problem.
    """
    keys = list(PROBLEMS)
    if not isinstance(choices, Mapping):
        return report(False, f"choices is {reprlib.repr(choices)}; it must be a dict from each problem "
                             f"({_quoted(keys)}) to an optimizer name.")
    unknown = [k for k in choices if k not in PROBLEMS]
    if unknown:
        return report(False, f"Unknown problem {_quoted(unknown)}: the problems are {_quoted(keys)}.")
    missing = [k for k in keys if k not in choices]
    if missing:
        return report(False, f"No answer for {_quoted(missing)}: give one optimizer name for each of "
                             f"{_quoted(keys)}.")
    names = {}
    for key in keys:
        value = choices[key]
        if not isinstance(value, str):
            return report(False, f"The answer for {key!r} is {reprlib.repr(value)}, not an optimizer name: one of "
                                 f"{_quoted(OPTIMIZERS)}.")
        if _name(value) not in OPTIMIZERS:
            return report(False, f"{value!r} (for {key!r}) is not one of the book's optimizers: "
                                 f"{_quoted(OPTIMIZERS)}.")
        names[key] = _name(value)
    wrong = [key for key in keys if names[key] not in ACCEPTED[key]]
    if not wrong:
        return report(True, _CHOICE_OK)
    key = wrong[0]
    more = f" ({len(wrong) - 1} more wrong.)" if len(wrong) > 1 else ""
    return report(False, f"{len(keys) - len(wrong)} of {len(keys)} right. {key} ({names[key]!r}): "
                         f"{_CHOICE_MESSAGES[key][names[key]]}{more}")
