"""Train a torch model with an optlib rule: ``optlib.TorchOptimizer``.

The rule runs unchanged on tensors; this class only does what
``torch.optim.Optimizer`` expects: keep per-parameter state, read the
hyperparameters from ``param_groups`` (so torch's LR schedulers, which edit
``group["lr"]``, work), and add the update to each parameter in place.
"""
import inspect

import torch

from ._base import Optimizer

__all__ = ["TorchOptimizer"]


class TorchOptimizer(torch.optim.Optimizer):
    """A ``torch.optim.Optimizer`` that applies an optlib rule.

    Args:
        params: an iterable of tensors or of param-group dicts, as for any
            torch optimizer. A group may override the rule's hyperparameters
            (``{"params": ..., "lr": 0.01}``).
        rule: an :class:`optlib.Optimizer`, e.g. ``optlib.adam(lr=1e-3)``.

    Speed: optlib's rules are pure, so each line makes a new tensor where
    torch.optim updates its buffers in place. On a CPU a step takes about
    1.4-1.9 times as long as torch.optim's for-loop Adam/RMSprop/NAdam once
    glibc keeps freed memory (``MALLOC_TRIM_THRESHOLD_``,
    ``MALLOC_MMAP_THRESHOLD_``, or jemalloc/tcmalloc as PyTorch's CPU
    performance guide recommends), and about twice as long without; see
    ``bench/bench_torch_adapter.py``. Use it to run the book's rules on real
    models, and torch.optim when speed matters more than reading the code.

    Example:

    >>> import torch, optlib
    >>> _ = torch.manual_seed(0)
    >>> model = torch.nn.Linear(3, 1)
    >>> opt = optlib.TorchOptimizer(model.parameters(), optlib.adam(lr=0.1))
    >>> sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    >>> x, y = torch.randn(16, 3), torch.randn(16, 1)
    >>> for _ in range(3):
    ...     opt.zero_grad()
    ...     loss = torch.nn.functional.mse_loss(model(x), y)
    ...     loss.backward()
    ...     opt.step()
    ...     sched.step()
    >>> opt.param_groups[0]["lr"]
    0.0125
    """

    def __init__(self, params, rule):
        if not isinstance(rule, Optimizer):
            raise TypeError(f"rule must be an optlib optimizer such as optlib.adam(), got {type(rule).__name__}")
        self.rule = rule
        self._names = tuple(inspect.signature(rule.factory).parameters)
        self._rules = {}
        self._state_types = {}
        super().__init__(params, dict(rule.hyperparams))

    def _rule_for(self, group):
        # Rebuild the rule when a group's hyperparameters differ (an LR
        # scheduler changed lr, or the group overrides one); cache it.
        key = tuple((name, group[name]) for name in self._names)
        if key not in self._rules:
            self._rules[key] = self.rule.factory(**dict(key))
        return self._rules[key]

    @torch.no_grad()
    def step(self, closure=None):
        """Take one step; ``closure`` (optional) re-evaluates the loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            rule = self._rule_for(group)
            # One rule.update call per group (a list of tensors is a tree), not
            # one per tensor: the Python overhead is paid once. Params that
            # have taken different numbers of steps (some had no grad at times)
            # cannot share a step count, so they go in separate calls.
            by_count = {}
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError("optlib rules do not support sparse gradients")
                by_count.setdefault(self.state[p].get("count", 0), []).append(p)
            for params in by_count.values():
                state = self._gather(rule, params)
                updates, state = rule.update([p.grad for p in params], state, params)
                torch._foreach_add_(params, updates)
                self._scatter(params, state)
        return loss

    def _gather(self, rule, params):
        """The optlib state (a named tuple of lists) from torch's per-parameter dicts."""
        if not self.state[params[0]]:
            return rule.init(params)
        fields = self.state[params[0]]
        return self._state_type(rule)(**{
            # a tensor is per parameter; a number (count, NAdam's mu_product)
            # or None (an unused buffer) is the same for the whole call
            name: [self.state[p][name] for p in params] if torch.is_tensor(value) else value
            for name, value in fields.items()
        })

    def _scatter(self, params, state):
        """Store the state back per parameter, as torch.optim does (state_dict works)."""
        for i, p in enumerate(params):
            self.state[p] = {
                name: value[i] if isinstance(value, list) else value for name, value in state._asdict().items()
            }

    def _state_type(self, rule):
        if rule.name not in self._state_types:
            self._state_types[rule.name] = type(rule.init(torch.zeros(())))
        return self._state_types[rule.name]
