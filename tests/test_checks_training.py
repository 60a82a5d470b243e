"""Chapter 9's exercise checks (putting it together) recognise each typical mistake and say which it is.

The students below are written as students write them, not from the checks' tables: a training loop in each
of the usual styles and with each of the usual slips, schedules written with math, NumPy and optlib, and the
answers to the choice of an optimizer.
"""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import optlib
from optlib import schedules
from optlib.checks import training

TRAIN_OK = "✔ train is correct: a step per batch, a schedule step and a test per epoch."
SCHEDULE_OK = "✔ lr_at is correct: warm-up in equal steps to lr, cosine to min_lr, then flat."
CHOICE_OK = "✔ Every choice is defensible: each optimizer suits its problem."


def test_success_messages_fit_the_chapters_width():
    assert all(len(message) <= 80 for message in (TRAIN_OK, SCHEDULE_OK, CHOICE_OK))


def not_implemented(*args, **kwargs):
    raise NotImplementedError


def expect_failure(check, student, fragments, forbidden, capsys):
    """The check fails with one line naming the mistake (every fragment) and giving none of the answer away."""
    feedback = check(student)
    assert not feedback, feedback
    for fragment in [fragments] if isinstance(fragments, str) else fragments:
        assert fragment in feedback.message, feedback
    assert not any(code in feedback.message for code in forbidden), feedback
    out = capsys.readouterr().out
    assert out.startswith("✘ ") and out.count("\n") == 1, out
    return feedback


# ---------------------------------------------------------------------------------------------------------------------
# The training loop: right answers, in the styles of the torch tutorials

def train(model, optimizer, scheduler, train_loader, test_loader, epochs):
    accuracies = []
    for epoch in range(epochs):
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
        scheduler.step()
        correct = 0
        with torch.no_grad():
            for x, y in test_loader:
                correct += (model(x).argmax(dim=1) == y).sum().item()
        accuracies.append(correct / len(test_loader.dataset))
    return accuracies


def train_tutorial(model, optimizer, scheduler, train_loader, test_loader, epochs):
    # enumerate, a loss module, model.eval() and model.train(), probabilities before the argmax, a count of examples
    loss_fn = nn.CrossEntropyLoss()
    history = []
    for epoch in range(epochs):
        model.train()
        for batch, (X, y) in enumerate(train_loader):
            pred = model(X)
            loss = loss_fn(pred, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        scheduler.step()
        model.eval()
        correct, total = 0, 0
        with torch.no_grad():
            for X, y in test_loader:
                probs = torch.softmax(model(X), dim=1)
                correct += (probs.argmax(1) == y).type(torch.float).sum().item()
                total += y.shape[0]
        history.append(correct / total)
    return history


def train_zeroing_the_model(model, optimizer, scheduler, train_loader, test_loader, epochs):
    # the model's zero_grad keeping zeros, evaluation before the scheduler's step, a mean over all predictions
    accs = []
    for _ in range(epochs):
        for inputs, targets in train_loader:
            model.zero_grad(set_to_none=False)
            F.cross_entropy(model(inputs), targets).backward()
            optimizer.step()
        with torch.inference_mode():
            predictions = torch.cat([model(x).argmax(-1) for x, _ in test_loader])
            labels = torch.cat([y for _, y in test_loader])
        accs.append((predictions == labels).float().mean())
        scheduler.step()
    return accs


def train_with_closure(model, optimizer, scheduler, train_loader, test_loader, epochs):
    # the step computes its own gradients, as L-BFGS needs; the accuracies as a NumPy array
    accuracies = np.zeros(epochs)
    for epoch in range(epochs):
        for x, y in train_loader:
            def closure():
                optimizer.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                return loss
            optimizer.step(closure)
        scheduler.step()
        with torch.no_grad():
            right = sum(int((model(x).max(1).indices == y).sum()) for x, y in test_loader)
        accuracies[epoch] = right / len(test_loader.dataset)
    return accuracies


def train_by_functions(model, optimizer, scheduler, train_loader, test_loader, epochs):
    # one function per part, a tuple returned
    def one_epoch():
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y).backward()
            optimizer.step()

    @torch.no_grad()
    def accuracy(loader):
        model.eval()
        hits = n = 0
        for x, y in loader:
            hits += (model(x).argmax(1) == y).sum()
            n += len(y)
        model.train()
        return (hits / n).item()

    results = []
    for _ in range(epochs):
        one_epoch()
        scheduler.step()
        results.append(accuracy(test_loader))
    return tuple(results)


@pytest.mark.parametrize("student", [train, train_tutorial, train_zeroing_the_model, train_with_closure,
                                     train_by_functions])
def test_training_loop_accepts_right_answers(student, capsys):
    feedback = training.check_training_loop(student)
    assert feedback, feedback
    assert capsys.readouterr().out == TRAIN_OK + "\n"


def test_training_loop_leaves_torch_as_it_found_it(capsys):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    with torch.no_grad():
        assert training.check_training_loop(train)
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()
    assert torch.equal(torch.rand(3), expected)  # the check drew nothing from torch's global generator


# ---------------------------------------------------------------------------------------------------------------------
# The training loop: the mistakes, each written as a student would

def evaluate(model, loader):
    correct = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
    return correct / len(loader.dataset)


def loop(batch_step, *, before_epoch=None, after_batches=None, evaluate_on=evaluate, loader="test"):
    """A student's train: the right loop, with one part replaced."""
    def student(model, optimizer, scheduler, train_loader, test_loader, epochs):
        accuracies = []
        for epoch in range(epochs):
            if before_epoch:
                before_epoch(optimizer, scheduler)
            for x, y in train_loader:
                batch_step(model, optimizer, scheduler, x, y)
            (after_batches or (lambda o, s: s.step()))(optimizer, scheduler)
            accuracies.append(evaluate_on(model, test_loader if loader == "test" else train_loader))
        return accuracies
    return student


def right_step(model, optimizer, scheduler, x, y):
    optimizer.zero_grad()
    F.cross_entropy(model(x), y).backward()
    optimizer.step()


def no_zero_grad(model, optimizer, scheduler, x, y):
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()


def zero_grad_after_backward(model, optimizer, scheduler, x, y):
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.zero_grad()
    optimizer.step()


def step_before_backward(model, optimizer, scheduler, x, y):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    optimizer.step()
    loss.backward()


def step_before_backward_no_zero(model, optimizer, scheduler, x, y):
    loss = F.cross_entropy(model(x), y)
    optimizer.step()
    loss.backward()


def scheduler_per_batch(model, optimizer, scheduler, x, y):
    right_step(model, optimizer, scheduler, x, y)
    scheduler.step()


def no_backward(model, optimizer, scheduler, x, y):
    optimizer.zero_grad()
    F.cross_entropy(model(x), y)
    optimizer.step()


def summed_loss(model, optimizer, scheduler, x, y):
    optimizer.zero_grad()
    F.cross_entropy(model(x), y, reduction="sum").backward()
    optimizer.step()


def two_steps(model, optimizer, scheduler, x, y):
    right_step(model, optimizer, scheduler, x, y)
    right_step(model, optimizer, scheduler, x, y)


def mse_loss(model, optimizer, scheduler, x, y):
    optimizer.zero_grad()
    F.mse_loss(torch.softmax(model(x), 1), F.one_hot(y, 3).float()).backward()
    optimizer.step()


def zero_grad_per_epoch(model, optimizer, scheduler, train_loader, test_loader, epochs):
    accuracies = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        for x, y in train_loader:
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        scheduler.step()
        accuracies.append(evaluate(model, test_loader))
    return accuracies


def zero_grad_every_other_batch(model, optimizer, scheduler, train_loader, test_loader, epochs):
    accuracies = []
    for epoch in range(epochs):
        for i, (x, y) in enumerate(train_loader):
            if i % 2 == 0:
                optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        scheduler.step()
        accuracies.append(evaluate(model, test_loader))
    return accuracies


def scheduler_after_first_batch(model, optimizer, scheduler, train_loader, test_loader, epochs):
    accuracies = []
    for epoch in range(epochs):
        for i, (x, y) in enumerate(train_loader):
            right_step(model, optimizer, scheduler, x, y)
            if i == 0:
                scheduler.step()
        accuracies.append(evaluate(model, test_loader))
    return accuracies


def evaluation_before_training(model, optimizer, scheduler, train_loader, test_loader, epochs):
    accuracies = []
    for epoch in range(epochs):
        accuracies.append(evaluate(model, test_loader))
        for x, y in train_loader:
            right_step(model, optimizer, scheduler, x, y)
        scheduler.step()
    return accuracies


def own_optimizer(model, optimizer, scheduler, train_loader, test_loader, epochs):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    accuracies = []
    for epoch in range(epochs):
        for x, y in train_loader:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        accuracies.append(evaluate(model, test_loader))
    return accuracies


def own_scheduler(model, optimizer, scheduler, train_loader, test_loader, epochs):
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.1)
    return loop(right_step)(model, optimizer, scheduler, train_loader, test_loader, epochs)


def training_during_evaluation(model, optimizer, scheduler, train_loader, test_loader, epochs):
    accuracies = []
    for epoch in range(epochs):
        for x, y in train_loader:
            right_step(model, optimizer, scheduler, x, y)
        scheduler.step()
        correct = 0
        for x, y in test_loader:  # the training loop copied, with the accuracy added
            optimizer.zero_grad()
            out = model(x)
            F.cross_entropy(out, y).backward()
            optimizer.step()
            correct += (out.argmax(1) == y).sum().item()
        accuracies.append(correct / len(test_loader.dataset))
    return accuracies


def accuracy_per_batch(model, optimizer, scheduler, train_loader, test_loader, epochs):
    accuracies = []
    for epoch in range(epochs):
        for x, y in train_loader:
            right_step(model, optimizer, scheduler, x, y)
            accuracies.append(evaluate(model, test_loader))
        scheduler.step()
    return accuracies


def accuracy_per_test_batch(model, optimizer, scheduler, train_loader, test_loader, epochs):
    accuracies = []
    for epoch in range(epochs):
        for x, y in train_loader:
            right_step(model, optimizer, scheduler, x, y)
        scheduler.step()
        with torch.no_grad():
            for x, y in test_loader:
                accuracies.append((model(x).argmax(1) == y).float().mean().item())
    return accuracies


def training_batch_accuracy(model, optimizer, scheduler, train_loader, test_loader, epochs):
    accuracies = []
    for epoch in range(epochs):
        for x, y in train_loader:
            optimizer.zero_grad()
            out = model(x)
            F.cross_entropy(out, y).backward()
            optimizer.step()
        scheduler.step()
        accuracies.append((out.argmax(1) == y).float().mean().item())
    return accuracies


def returns_nothing(model, optimizer, scheduler, train_loader, test_loader, epochs):
    accuracies = []
    for epoch in range(epochs):
        for x, y in train_loader:
            right_step(model, optimizer, scheduler, x, y)
        scheduler.step()
        accuracies.append(evaluate(model, test_loader))


def with_initial_accuracy(model, optimizer, scheduler, train_loader, test_loader, epochs):
    return [evaluate(model, test_loader)] + train(model, optimizer, scheduler, train_loader, test_loader, epochs)


def one_epoch_too_many(model, optimizer, scheduler, train_loader, test_loader, epochs):
    return train(model, optimizer, scheduler, train_loader, test_loader, epochs + 1)[:epochs]


def first_batches_only(model, optimizer, scheduler, train_loader, test_loader, epochs):
    accuracies = []
    for epoch in range(epochs):
        for i, (x, y) in enumerate(train_loader):
            if i == 2:
                break
            right_step(model, optimizer, scheduler, x, y)
        scheduler.step()
        accuracies.append(evaluate(model, test_loader))
    return accuracies


def counting(divide_by=None, scale=1.0, only_last=False, mean_of_batches=False):
    """An evaluation that counts its correct answers and then goes wrong in one way."""
    def evaluate_wrong(model, loader):
        correct, total, batch_accuracies = 0, 0, []
        with torch.no_grad():
            for x, y in loader:
                hits = (model(x).argmax(1) == y).sum().item()
                correct, total = correct + hits, total + len(y)
                batch_accuracies.append(hits / len(y))
        if only_last:
            return hits / len(y)
        if mean_of_batches:
            return sum(batch_accuracies) / len(batch_accuracies)
        return scale * correct / (total if divide_by is None else divide_by(loader))
    return evaluate_wrong


def first_test_batch(model, loader):
    with torch.no_grad():
        x, y = next(iter(loader))
        return (model(x).argmax(1) == y).float().mean().item()


def loss_on_test(model, loader):
    with torch.no_grad():
        losses = [F.cross_entropy(model(x), y, reduction="sum").item() for x, y in loader]
    return sum(losses) / len(loader.dataset)


def restart_scheduler_first(optimizer, scheduler):
    scheduler.step()


def nothing(optimizer, scheduler):
    pass


def crashes(model, optimizer, scheduler, train_loader, test_loader, epochs):
    for x, y in train_loader:
        loss = F.cross_entropy(model(x), y.float())  # float targets of the wrong shape
    return [loss.item()]


# Code a message must not paste: the calls of the loop.
LOOP_CODE = ("()", "zero_grad(", ".step(", "backward(", "cross_entropy(", "argmax", "no_grad", "for x, y", "+=",
             "len(", " / ")

LOOP_MISTAKES = [
    (loop(no_zero_grad), ["never zeroes the gradients", "sum"]),
    (zero_grad_per_epoch, ["zeroes the gradients once per epoch", "not before every mini-batch"]),
    (loop(zero_grad_after_backward), ["zeroes the gradients between the backward pass and the optimizer step",
                                      "never move"]),
    (loop(step_before_backward), ["steps the optimizer before the backward pass", "stale gradients"]),
    (loop(step_before_backward_no_zero), "steps the optimizer before the backward pass"),
    (loop(no_backward), "never runs the backward pass"),
    (loop(scheduler_per_batch, after_batches=nothing),
     ["steps the scheduler after every mini-batch", "4 times too fast"]),
    (loop(right_step, after_batches=nothing), ["never steps the scheduler", "initial value"]),
    (loop(right_step, before_epoch=restart_scheduler_first, after_batches=nothing),
     ["steps the scheduler before the optimizer's first step", "next epoch's learning rate"]),
    (loop(two_steps), "takes 2 optimizer steps for one mini-batch"),
    (zero_grad_every_other_batch, ["add to gradients left over from an earlier batch", "every mini-batch"]),
    (scheduler_after_first_batch, ["between mini-batches of the epoch", "remaining batches"]),
    (evaluation_before_training, "does not evaluate on test_loader after every epoch's training"),
    (own_optimizer, "optimizer of its own"),
    (own_scheduler, "scheduler of its own"),
    (loop(right_step, loader="train"), ["evaluates on the training data", "not on test_loader"]),
    (training_during_evaluation, ["updates the model during evaluation", "test data"]),
    (accuracy_per_batch, ["one accuracy per mini-batch", "12 numbers for 3 epochs of 4 batches"]),
    (accuracy_per_test_batch, ["one accuracy per test batch", "whole test set"]),
    (training_batch_accuracy, ["never goes through test_loader", "test data"]),
    (returns_nothing, ["returns nothing", "list of test accuracies"]),
    (with_initial_accuracy, ["returns 4 accuracies for 3 epochs", "before any training"]),
    (one_epoch_too_many, "trains for 4 epochs"),
    (first_batches_only, "trains on only 2 of train_loader's 4 mini-batches"),
    (loop(right_step, evaluate_on=counting(scale=100)), ["percentages", "between 0 and 1"]),
    (loop(right_step, evaluate_on=counting(divide_by=lambda loader: 1)), ["number of test examples classified "
                                                                         "correctly, not the fraction"]),
    (loop(right_step, evaluate_on=counting(divide_by=len)), "by the number of test batches"),
    (loop(right_step, evaluate_on=counting(only_last=True)), "accuracy of the last test batch only"),
    (loop(right_step, evaluate_on=counting(mean_of_batches=True)), ["averages the accuracies of the test batches",
                                                                    "smaller"]),
    (loop(right_step, evaluate_on=first_test_batch), "evaluates on only 1 of test_loader's 3 batches"),
    (loop(right_step, evaluate_on=loss_on_test), "returns the test loss, not the accuracy"),
    (loop(summed_loss), ["sums the loss over the mini-batch instead of averaging it", "16 times"]),
    (loop(mse_loss), "the trained parameters differ"),
]


@pytest.mark.parametrize("student, fragments", LOOP_MISTAKES, ids=range(len(LOOP_MISTAKES)))
def test_training_loop_names_each_mistake(student, fragments, capsys):
    expect_failure(training.check_training_loop, student, fragments, LOOP_CODE, capsys)


@pytest.mark.parametrize("student, fragment", [
    (crashes, "train(model, optimizer, scheduler, train_loader, test_loader, epochs=3): calling it raised"),
    (not_implemented, "not implemented yet"),
    (lambda model, optimizer, scheduler, train_loader, test_loader: [], "raised TypeError"),
])
def test_training_loop_reports_a_crash(student, fragment, capsys):
    feedback = training.check_training_loop(student)
    assert not feedback and fragment in feedback.message, feedback
    assert capsys.readouterr().out.count("\n") == 1
    assert torch.is_grad_enabled()


def test_training_loop_reads_what_it_returns(capsys):
    def returning(value):
        return lambda *args: (train(*args), value)[1]

    cases = [(returning(0.7), "not a list of numbers"), (returning("0.7"), "not a list of numbers"),
             (returning([[0.7], [0.7], [0.7]]), "not a list of numbers"),
             (returning([0.5, float("nan"), 0.5]), "After epoch 2 it returns nan, which is not a fraction"),
             (returning([0.5, 0.5, 0.5]), "After epoch 1 it returns an accuracy of 0.5; the model it trained")]
    for student, fragment in cases:
        feedback = training.check_training_loop(student)
        assert not feedback and fragment in feedback.message, feedback
    assert len(capsys.readouterr().out.splitlines()) == len(cases)


def test_training_loop_value_mistakes_differ_from_the_accuracy_and_from_each_other():
    epochs, _ = training._reference_run()
    keys = ["accuracy"] + [key for key, _ in training._VALUE_MISTAKES]
    series = {key: np.array([e[key] for e in epochs]) for key in keys}
    for a in keys:
        for b in keys:
            if a < b:
                assert not np.allclose(series[a], series[b], rtol=1e-3), (a, b)
    assert len(set(series["accuracy"])) == len(epochs)  # each epoch's accuracy differs: a shifted list shows


# ---------------------------------------------------------------------------------------------------------------------
# Warm-up and cosine

def lr_at(k, lr, warmup_steps, total_steps, min_lr=0.0):
    if k < warmup_steps:
        return lr * (k + 1) / (warmup_steps + 1)
    progress = min(k - warmup_steps, total_steps - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * progress))


def lr_at_numpy(k, lr, warmup_steps, total_steps, min_lr=0.0):
    ramp = lr * (k + 1) / (warmup_steps + 1)
    t = np.clip((k - warmup_steps) / (total_steps - warmup_steps), 0.0, 1.0)
    decay = min_lr + (lr - min_lr) * (1 + np.cos(np.pi * t)) / 2
    return np.where(k < warmup_steps, ramp, decay)[()]


def lr_at_optlib(k, lr, warmup_steps, total_steps, min_lr=0.0):
    decay = schedules.cosine(lr, total_steps=total_steps - warmup_steps, min_lr=min_lr)
    return schedules.linear_warmup(decay, warmup_steps=warmup_steps, start_factor=1 / (warmup_steps + 1))(k)


def lr_at_sin_squared(k, lr, warmup_steps, total_steps, min_lr=0.0):
    # (1 + cos x) / 2 = cos²(x / 2); past the end, the last value
    W, T = warmup_steps, total_steps
    if k >= T:
        return min_lr
    if k >= W:
        return min_lr + (lr - min_lr) * math.cos(math.pi * (k - W) / (2 * (T - W))) ** 2
    return (k + 1) * (lr / (W + 1))


def lr_at_tensor(k, lr, warmup_steps, total_steps, min_lr=0.0):
    return torch.tensor(lr_at(k, lr, warmup_steps, total_steps, min_lr), dtype=torch.float64)


@pytest.mark.parametrize("student", [lr_at, lr_at_numpy, lr_at_optlib, lr_at_sin_squared, lr_at_tensor])
def test_warmup_cosine_accepts_right_answers(student, capsys):
    feedback = training.check_warmup_cosine(student)
    assert feedback, feedback
    assert capsys.readouterr().out == SCHEDULE_OK + "\n"


def torch_lrs(lr, W, T, min_lr):
    """The learning rates of torch's SequentialLR(LinearLR, CosineAnnealingLR) for k = 0 ... T."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    S = torch.optim.lr_scheduler
    sched = S.SequentialLR(opt, [S.LinearLR(opt, start_factor=1 / (W + 1), total_iters=W),
                                 S.CosineAnnealingLR(opt, T_max=T - W, eta_min=min_lr)], milestones=[W])
    lrs = []
    for _ in range(T + 1):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


CASES = [(0.1, 5, 20, 0.0), (1.0, 3, 10, 0.1), (0.003, 10, 40, 1e-4), (0.5, 1, 6, 0.05), (0.02, 7, 100, 0.001)]


@pytest.mark.parametrize("lr, W, T, min_lr", CASES)
def test_the_reference_is_torchs_sequential_lr(lr, W, T, min_lr):
    ours = [training._lr_at(k, lr, W, T, min_lr) for k in range(T + 1)]
    np.testing.assert_allclose(ours, torch_lrs(lr, W, T, min_lr), rtol=1e-12, atol=1e-15)
    # and after T, where torch's cosine would rise again, it stays at min_lr
    assert [training._lr_at(k, lr, W, T, min_lr) for k in range(T, T + 5)] == [pytest.approx(min_lr, abs=1e-15)] * 5


def test_the_reference_is_the_closed_form():
    for lr, W, T, min_lr in CASES:
        for k in range(T + 4):
            assert training._lr_at(k, lr, W, T, min_lr) == pytest.approx(lr_at(k, lr, W, T, min_lr), rel=1e-12,
                                                                          abs=1e-15)


def test_warmup_cosine_passes_plain_numbers_and_keeps_nothing(capsys):
    seen = []

    def recording(k, lr, warmup_steps, total_steps, min_lr=0.0):
        seen.append((k, lr, warmup_steps, total_steps, min_lr))
        return lr_at(k, lr, warmup_steps, total_steps, min_lr)

    before = dict(vars(recording))
    assert training.check_warmup_cosine(recording)
    assert vars(recording) == before and recording.__defaults__ == (0.0,)
    assert all(type(k) is int and type(W) is int and type(T) is int for k, _, W, T, _ in seen)
    assert all(isinstance(lr, float) and isinstance(m, float) for _, lr, _, _, m in seen)
    assert {k for k, *_ in seen} >= set(range(23))  # from k = 0 to beyond total_steps
    assert any(m == 0.0 for *_, m in seen) and any(m > 0 for *_, m in seen)
    capsys.readouterr()


def schedule(warmup, decay):
    """A student's lr_at made of a warm-up rule (k < W) and a decay rule (k >= W), each (k, lr, W, T, min_lr)."""
    def student(k, lr, warmup_steps, total_steps, min_lr=0.0):
        rule = warmup if k < warmup_steps else decay
        return rule(k, lr, warmup_steps, total_steps, min_lr)
    return student


def right_warmup(k, lr, W, T, m):
    return lr * (k + 1) / (W + 1)


def right_decay(k, lr, W, T, m):
    return lr_at(k, lr, W, T, m)


def cosine_over(k, lr, W, T, m, start, length, clamp=True, period=2 * math.pi, low=None):
    low = m if low is None else low
    t = k - start
    if clamp:
        t = min(t, length)
    return low + (lr - low) * (1 + math.cos(period / 2 * t / length)) / 2


def no_min_lr(k, lr, warmup_steps, total_steps, min_lr=0.0):
    return lr_at(k, lr, warmup_steps, total_steps, 0.0)


def min_lr_without_default(k, lr, warmup_steps, total_steps, min_lr):
    return lr_at(k, lr, warmup_steps, total_steps, min_lr)


def min_lr_default(k, lr, warmup_steps, total_steps, min_lr=1e-5):
    return lr_at(k, lr, warmup_steps, total_steps, min_lr)


def whole_schedule(k, lr, warmup_steps, total_steps, min_lr=0.0):
    return [lr_at(j, lr, warmup_steps, total_steps, min_lr) for j in range(total_steps)]


def one_element(k, lr, warmup_steps, total_steps, min_lr=0.0):
    return np.array([lr_at(k, lr, warmup_steps, total_steps, min_lr)])


def torch_like(k, lr, warmup_steps, total_steps, min_lr=0.0):
    # the closed form of torch's CosineAnnealingLR, with no clamp: the rate rises again after T
    if k < warmup_steps:
        return lr * (k + 1) / (warmup_steps + 1)
    T_cur, T_max = k - warmup_steps, total_steps - warmup_steps
    return min_lr + (lr - min_lr) * (1 + math.cos(math.pi * T_cur / T_max)) / 2


def floored(k, lr, warmup_steps, total_steps, min_lr=0.0):
    if k < warmup_steps:
        return lr * (k + 1) / (warmup_steps + 1)
    t = min(k - warmup_steps, total_steps - warmup_steps) / (total_steps - warmup_steps)
    return max(min_lr, lr * 0.5 * (1 + math.cos(math.pi * t)))


def with_division_by_zero(k, lr, warmup_steps, total_steps, min_lr=0.0):
    return lr * (k + 1) / (warmup_steps + 1) if k < warmup_steps else np.float64(lr) / (k - total_steps)


# A message must not give the formula.
SCHEDULE_FORMULA = ("k + 1", "k+1", "W + 1", "W+1", "warmup_steps + 1", "(k - W)", "k - warmup_steps", "T - W",
                    "total_steps - warmup_steps", "math.", "cos(", "pi", "π", "0.5 *", "/ 2", "min(", "1 +")

SCHEDULE_MISTAKES = [
    (schedule(lambda k, lr, W, T, m: lr * k / W, right_decay), ["warm-up starts at 0", "does nothing"]),
    (schedule(lambda k, lr, W, T, m: lr * k / (W + 1), right_decay), ["warm-up starts at 0", "does nothing"]),
    (schedule(lambda k, lr, W, T, m: lr * (k + 1) / W, right_decay), ["one update early", "k = W - 1"]),
    (schedule(lambda k, lr, W, T, m: lr * (k + 1) / (W + 2), right_decay), ["still below lr at k = W", "jumps"]),
    (schedule(lambda k, lr, W, T, m: m + (lr - m) * (k + 1) / (W + 1), right_decay), "warm-up starts from min_lr"),
    (schedule(lambda k, lr, W, T, m: cosine_over(k, lr, W, T, m, start=0, length=T),
              lambda k, lr, W, T, m: cosine_over(k, lr, W, T, m, start=0, length=T)), "has no warm-up"),
    (schedule(right_warmup, lambda k, lr, W, T, m: cosine_over(k, lr, W, T, m, start=W, length=T)),
     ["cosine lasts too long", "has not reached min_lr"]),
    (schedule(right_warmup, lambda k, lr, W, T, m: cosine_over(k, lr, W, T, m, start=0, length=T - W)),
     ["counted from k = 0", "jumps down"]),
    (schedule(right_warmup, lambda k, lr, W, T, m: cosine_over(k, lr, W, T, m, start=0, length=T)),
     ["counted from k = 0", "jumps down"]),
    (no_min_lr, ["ignores min_lr", "decays to 0"]),
    (schedule(right_warmup, lambda k, lr, W, T, m: m + cosine_over(k, lr, W, T, m, start=W, length=T - W, low=0.0)),
     ["adds min_lr", "above lr"]),
    (floored, "clips at min_lr"),
    (torch_like, ["rises again", "CosineAnnealingLR"]),
    (lambda k, lr, W, T, m=0.0: lr if k > T else lr_at(k, lr, W, T, m), "rises again"),
    (schedule(right_warmup, lambda k, lr, W, T, m: cosine_over(k, lr, W, T, m, start=W, length=T - W,
                                                               period=4 * math.pi)),
     ["whole period", "back up to lr"]),
    (schedule(right_warmup, lambda k, lr, W, T, m: cosine_over(k, lr, W, T, m, start=W, length=T - W,
                                                               period=math.pi)),
     ["quarter of a period", "halfway"]),
    (schedule(right_warmup, lambda k, lr, W, T, m: cosine_over(k, lr, W, T, m, start=W, length=T - W, period=360)),
     ["degrees", "radians"]),
    (schedule(right_warmup, lambda k, lr, W, T, m: m + (lr - m) * max(0.0, 1 - (k - W) / (T - W))),
     ["decays linearly", "cosine"]),
    (schedule(right_warmup, lambda k, lr, W, T, m: cosine_over(k, lr, W, T, m, start=W - 1, length=T - W)),
     "one update early"),
    (lambda k, lr, W, T, m=0.0: right_warmup(k, lr, W, T, m) if k <= W
     else cosine_over(k, lr, W, T, m, start=W + 1, length=T - W), "one update late"),
    (min_lr_default, "default min_lr is not the signature's"),
    (min_lr_without_default, "default min_lr is not the signature's"),
    (whole_schedule, ["returned 20 numbers", "one number", "not a list"]),
    (one_element, ["one number", "not a list"]),
    (with_division_by_zero, "not finite"),
]


@pytest.mark.parametrize("student, fragments", SCHEDULE_MISTAKES, ids=range(len(SCHEDULE_MISTAKES)))
def test_warmup_cosine_names_each_mistake(student, fragments, capsys):
    expect_failure(training.check_warmup_cosine, student, fragments, SCHEDULE_FORMULA, capsys)


def test_warmup_cosine_reports_the_first_mistake_of_two(capsys):
    # a warm-up from 0 and min_lr ignored: the warm-up comes first
    student = schedule(lambda k, lr, W, T, m: lr * k / W, lambda k, lr, W, T, m: lr_at(k, lr, W, T, 0.0))
    expect_failure(training.check_warmup_cosine, student, "warm-up starts at 0", SCHEDULE_FORMULA, capsys)


@pytest.mark.parametrize("student, fragment", [
    (lambda k, lr, warmup_steps, total_steps, min_lr=0.0: lr / (warmup_steps - k),
     "calling it raised ZeroDivisionError"),
    (lambda k, lr, warmup_steps, total_steps, min_lr=0.0: None, "returned None"),
    (lambda k, lr, warmup_steps, total_steps, min_lr=0.0: "lr", "which is not a number"),
    (not_implemented, "not implemented yet"),
    (lambda k, lr, warmup_steps, total_steps, min_lr=0.0: 0.01,
     "lr_at(k=0, lr=0.1, warmup_steps=5, total_steps=20) returned 0.01; expected 0.0166667."),
])
def test_warmup_cosine_reports_what_is_not_a_rate(student, fragment, capsys):
    feedback = training.check_warmup_cosine(student)
    assert not feedback and fragment in feedback.message, feedback
    assert capsys.readouterr().out.count("\n") == 1


def test_warmup_cosine_cases_tell_the_mistakes_apart():
    calls = training._schedule_calls()
    rights = [training._lr_at(*c[:4], c[4] or 0.0) for c in calls]
    for table, part in [(training._WARMUP_MISTAKES, lambda c: c[0] < c[2]),
                        (training._DECAY_MISTAKES, lambda c: c[0] >= c[2])]:
        rows = [[r for c, r in zip(calls, rights) if part(c)]]
        for wrong, _ in table:
            rows.append([wrong(*c[:4], c[4] or 0.0) for c in calls if part(c)])
        for i in range(len(rows)):
            for j in range(i):
                assert not np.allclose(rows[i], rows[j], rtol=1e-9, atol=1e-15), (i, j)


# ---------------------------------------------------------------------------------------------------------------------
# Choosing an optimizer

RIGHT = {"resnet": "momentum", "full_batch": "lbfgs", "sparse": "adagrad", "transformer": "adamw",
         "new_network": "adam"}


@pytest.mark.parametrize("choices", [
    RIGHT,
    {**RIGHT, "new_network": "adamw"},
    {"resnet": "Momentum", "full_batch": "L-BFGS", "sparse": "AdaGrad", "transformer": "AdamW",
     "new_network": " Adam "},
    dict(reversed(list(RIGHT.items()))),
])
def test_optimizer_choice_accepts_every_defensible_answer(choices, capsys):
    feedback = training.check_optimizer_choice(choices)
    assert feedback, feedback
    assert capsys.readouterr().out == CHOICE_OK + "\n"


NAMES = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "amsgrad", "adamax",
         "nadam", "lbfgs"]
DEFENSIBLE = {"resnet": {"momentum"}, "full_batch": {"lbfgs"}, "sparse": {"adagrad"}, "transformer": {"adamw"},
              "new_network": {"adam", "adamw"}}


@pytest.mark.parametrize("key, name", [(key, name) for key in RIGHT for name in NAMES if name not in DEFENSIBLE[key]])
def test_optimizer_choice_says_what_a_wrong_answer_misses(key, name, capsys):
    feedback = training.check_optimizer_choice({**RIGHT, key: name})
    assert not feedback, feedback
    assert feedback.message.startswith(f"4 of 5 right. {key} ({name!r}): "), feedback
    explanation = feedback.message.split(": ", 1)[1]
    assert len(explanation) > 60  # a reason, not just "wrong"
    assert not any(repr(answer) in explanation or f'"{answer}"' in explanation for answer in DEFENSIBLE[key])
    assert capsys.readouterr().out.count("\n") == 1


def test_optimizer_choice_names_the_first_wrong_answer_and_counts_the_others(capsys):
    feedback = training.check_optimizer_choice({**RIGHT, "sparse": "sgd", "transformer": "adam"})
    assert not feedback
    assert feedback.message.startswith("3 of 5 right. sparse ('sgd'): One learning rate for every feature")
    assert feedback.message.endswith("(1 more wrong.)")
    capsys.readouterr()


@pytest.mark.parametrize("choices, fragments", [
    (["momentum", "lbfgs", "adagrad", "adamw", "adam"], ["must be a dict", "'resnet', 'full_batch'"]),
    ("adam", "must be a dict"),
    ({**RIGHT, "cnn": "adam"}, ["Unknown problem 'cnn'", "the problems are 'resnet'"]),
    ({k: v for k, v in RIGHT.items() if k != "sparse"}, ["No answer for 'sparse'", "'new_network'"]),
    ({**RIGHT, "resnet": "sgd with momentum"}, ["is not one of the book's optimizers", "'nesterov'", "'lbfgs'"]),
    ({**RIGHT, "resnet": torch.optim.SGD}, ["not an optimizer name", "'momentum'"]),
    ({**RIGHT, "resnet": None}, "not an optimizer name"),
])
def test_optimizer_choice_explains_input_it_cannot_read(choices, fragments, capsys):
    expect_failure(training.check_optimizer_choice, choices, fragments, (), capsys)


def test_every_wrong_answer_has_its_own_reason():
    for key in RIGHT:
        assert set(training._CHOICE_MESSAGES[key]) | DEFENSIBLE[key] == set(NAMES), key
        assert not set(training._CHOICE_MESSAGES[key]) & DEFENSIBLE[key], key
    assert training.ACCEPTED == DEFENSIBLE and set(training.PROBLEMS) == set(RIGHT)


# ---------------------------------------------------------------------------------------------------------------------

def test_the_module_is_imported_by_the_package_but_not_re_exported():
    assert optlib.checks.training is training
    assert not any(hasattr(optlib.checks, name) for name in training.__all__)
    assert training.__all__ == ["check_training_loop", "check_warmup_cosine", "check_optimizer_choice"]


def test_training_check_ignores_the_default_dtype():
    """Chapter 9 sets torch's default dtype to float64; the check's float32 problem must not mind."""
    import torch

    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        import torch.nn.functional as F

        def train(model, optimizer, scheduler, train_loader, test_loader, epochs):
            accuracies = []
            for _ in range(epochs):
                for x, y in train_loader:
                    optimizer.zero_grad()
                    F.cross_entropy(model(x), y).backward()
                    optimizer.step()
                scheduler.step()
                with torch.no_grad():
                    right = sum((model(x).argmax(1) == y).sum().item() for x, y in test_loader)
                    total = sum(len(y) for _, y in test_loader)
                accuracies.append(right / total)
            return accuracies

        assert training.check_training_loop(train)
    finally:
        torch.set_default_dtype(previous)
