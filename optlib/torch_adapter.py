"""Train a torch model with an optlib rule: ``optlib.TorchOptimizer``.

The rule runs unchanged on tensors; this class only does what
``torch.optim.Optimizer`` expects: keep per-parameter state, read the
hyperparameters from ``param_groups`` (so torch's LR schedulers, which edit
``group["lr"]``, work), and add the update to each parameter in place.
With ``compile=True`` the rule's per-parameter step is compiled with
``torch.compile`` into one fused loop that also writes the parameters and
the state in place.
"""
import inspect
import types

import torch

from ._base import Optimizer, boolean, in_place

__all__ = ["TorchOptimizer"]


class TorchOptimizer(torch.optim.Optimizer):
    """A ``torch.optim.Optimizer`` that applies an optlib rule.

    Args:
        params: an iterable of tensors or of param-group dicts, as for any
            torch optimizer. A group may override the rule's hyperparameters
            (``{"params": ..., "lr": 0.01}``).
        rule: an :class:`optlib.Optimizer`, e.g. ``optlib.adam(lr=1e-3)``.
        compile: compile the rule's per-parameter ``step`` with
            ``torch.compile``, together with adding the update to the
            parameter and writing the new state into the old buffers, so each
            param group's step runs as one fused loop. The arithmetic is the
            rule's own code, unchanged. Default False.

    Speed (``make bench``: 10 x 200k float32 parameters, 2-core CPU, ratio
    to torch.optim's for-loop step): the eager path allocates a new tensor
    for every line of the rule, as pure code must, and takes 1.4-2.2x as
    long for the adaptive rules and 3-4x for SGD. The compiled path takes
    0.3-0.75x as long for AdaGrad, RMSprop, Adadelta and the Adam family
    (torch's ``fused`` kernels, where they exist, are faster still), but
    1.2-1.9x for SGD: its for-loop step is already one or two passes over
    memory, so the ~0.1 ms of Python around the compiled loop is what is
    left. Compiling costs 2-11 s on the first step with an empty cache
    (and a little more on the second, when torch sees the step count
    change), much less once torch's disk cache holds it. A changing
    learning rate or step count does not recompile: the rule computes its
    per-step numbers in Python and they enter the compiled loop as inputs.
    A hyperparameter other than lr that changes every step (OneCycleLR's
    ``cycle_momentum``) recompiles once, then is an input too.

    ``compile=True`` needs what ``torch.compile`` needs: a supported Python
    and platform, and a C++ compiler for parameters on the CPU (Triton for
    CUDA). Without them the constructor raises ``RuntimeError`` saying what
    is missing, rather than falling back to the eager path silently: a
    reader who asked for the compiled path should know they did not get it.

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

    def __init__(self, params, rule, compile=False):
        if not isinstance(rule, Optimizer):
            raise TypeError(f"rule must be an optlib optimizer such as optlib.adam(), got {type(rule).__name__}")
        self.rule = rule
        self.compile = boolean("compile", compile)
        self._names = tuple(inspect.signature(rule.factory).parameters)
        self._rules = {}
        self._state_types = {}
        super().__init__(params, dict(rule.hyperparams))
        if self.compile:
            _check_compile_support([p for g in self.param_groups for p in g["params"]])
            self._apply_step = _compiled_apply_step(rule.name)

    def _rule_for(self, index, group):
        # Rebuild the rule when a group's hyperparameters differ from the
        # last ones (an LR scheduler changed lr, or the group overrides one).
        # One rule per group is kept, so a schedule does not pile them up.
        key = tuple((name, group[name]) for name in self._names)
        cached = self._rules.get(index)
        if cached is None or cached[0] != key:
            cached = self._rules[index] = (key, self.rule.factory(**dict(key)))
        return cached[1]

    @torch.no_grad()
    def step(self, closure=None):
        """Take one step; ``closure`` (optional) re-evaluates the loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for index, group in enumerate(self.param_groups):
            rule = self._rule_for(index, group)
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
                grads = [p.grad for p in params]
                if self.compile:
                    # The rule computes its per-step numbers (lr, bias
                    # corrections) in Python, then hands its per-leaf step to
                    # the compiled loop, which updates params and state in place.
                    with in_place(self._apply_step):
                        _, state = rule.update(grads, state, params)
                else:
                    updates, state = rule.update(grads, state, params)
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


def _apply_step(step, grads, params, states):
    """Run a rule's per-leaf ``step`` on every parameter, in place.

    ``grads`` and ``params`` are lists of tensors; each of ``states`` is a
    list of buffers, one per parameter, or None (a buffer the rule does not
    use). This is the function ``compile=True`` compiles: each update is
    added to its parameter and each new state value written into the old
    buffer, so nothing is allocated.
    """
    for i, (g, p) in enumerate(zip(grads, params)):
        update, *new = step(g, p, *(None if s is None else s[i] for s in states))
        p.add_(update)
        for s, value in zip(states, new):
            if s is not None:
                s[i].copy_(value)


def _compiled_apply_step(rule_name):
    # torch.compile keeps its compiled versions (and its limit on how many)
    # per code object, so each optimizer gets a copy of the code: one
    # optimizer's param groups and rules cannot use up another's. It also
    # remembers which inputs changed between calls (and so must not be baked
    # in as constants) by code name; rules differ in what their step's
    # closure holds, so each rule gets its own name.
    name = f"_apply_{rule_name}_step"
    code = _apply_step.__code__.replace(co_name=name, co_qualname=name)
    fn = types.FunctionType(code, _apply_step.__globals__, name)
    return torch.compile(fn, fullgraph=True)


def _check_compile_support(params):
    """Raise RuntimeError naming what torch.compile would lack for these params."""
    import torch._dynamo

    if not torch._dynamo.is_dynamo_supported():
        raise RuntimeError(
            "compile=True needs torch.compile, which is not supported on this Python or platform; use compile=False"
        )
    devices = {p.device.type for p in params}
    if "cpu" in devices:
        from torch._inductor import cpp_builder

        try:
            cpp_builder.get_cpp_compiler()
        except Exception as err:
            raise RuntimeError(
                "compile=True needs a C++ compiler for parameters on the CPU (torch.compile's CPU backend "
                f"found none: {type(err).__name__}); install one (g++, or set CXX) or use compile=False"
            ) from None
    if "cuda" in devices:
        from torch.utils._triton import has_triton

        if not has_triton():
            raise RuntimeError("compile=True needs Triton for CUDA parameters; install it or use compile=False")
