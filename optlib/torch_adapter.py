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
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError("optlib rules do not support sparse gradients")
                fields = self.state[p]
                # torch keeps per-parameter state as a flat dict (so that
                # state_dict()/load_state_dict() work); optlib's is a named
                # tuple. Convert at the boundary.
                state = rule.init(p) if not fields else self._state_type(rule)(**fields)
                updates, state = rule.update(p.grad, state, p)
                p.add_(updates)
                self.state[p] = state._asdict()
        return loss

    def _state_type(self, rule):
        if not hasattr(self, "_state_types"):
            self._state_types = {}
        if rule.name not in self._state_types:
            self._state_types[rule.name] = type(rule.init(torch.zeros(())))
        return self._state_types[rule.name]
