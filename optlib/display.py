"""Two notebook helpers: show optlib's own source, and glue numbers into prose.

``source(optlib.sgd)`` displays the code the book is about (the real code,
read from the package, never a pasted copy); ``source(optlib.adam,
part="step")`` just the lines that are the algorithm, the per-leaf update
under a chapter's ``{prf:algorithm}`` block. ``glue(name, value)`` shows a
value and records it for Jupyter Book, whose ``{glue:text}`name:.4f``` role
puts it into the prose: a number the text quotes is computed in a cell. It
writes the same output as ``myst_nb.glue``, without needing myst-nb
installed (Colab, Binder).
"""
import ast
import inspect
import textwrap

__all__ = ["glue", "source", "source_text"]


# myst-nb's prefix for glued outputs that are recorded but not shown.
_HIDDEN = "application/papermill.record/"


def glue(name, value, display=False):
    """Record ``value`` under ``name`` for Jupyter Book's ``{glue:text}`` role.

    The prose then quotes the computed value: ``{glue:text}`gd_x1:.6f```.
    By default nothing is shown in the notebook (print the value for the
    reader as you like); the recorded text is still part of the cell's output,
    so nbval compares it. ``display=True`` also shows it.
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import display as show

    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        # NumPy 2 scalars print as np.float64(0.5), which the {glue:text}
        # role cannot format: record the plain Python number.
        value = value.item()
    bundle, metadata = format_display_data(value)
    prefix = "" if display else _HIDDEN
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    show({prefix + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)


def _without_docstring(code):
    """Drop the docstring of the first function or class in ``code``."""
    tree = ast.parse(code)
    node = tree.body[0]
    body = getattr(node, "body", [])
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str):
        lines = code.splitlines(keepends=True)
        start, end = body[0].lineno - 1, body[0].end_lineno
        return "".join(lines[:start] + lines[end:])
    return code


PARTS = (None, "update", "step")


def source_text(obj, docstring=False, part=None):
    """The text :func:`source` displays (see there)."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}, got {part!r}")
    if part is None:
        code = textwrap.dedent(inspect.getsource(obj))
        return code if docstring else _without_docstring(code)
    from ._base import Optimizer
    from . import OPTIMIZERS

    if obj in OPTIMIZERS.values():
        obj = obj()  # the factory's defaults: the code is the same for any arguments
    if not isinstance(obj, Optimizer):
        raise TypeError(f"part={part!r} needs an optlib optimizer or its factory (e.g. optlib.adam), got {obj!r}")
    rule = obj
    code = textwrap.dedent(inspect.getsource(rule.update))
    if part == "update":
        return code
    steps = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.FunctionDef) and n.name == "step"]
    if not steps:
        raise ValueError(f"{rule.name}'s update has no per-leaf step function to show")
    lines = code.splitlines(keepends=True)
    return textwrap.dedent("".join(lines[steps[0].lineno - 1:steps[0].end_lineno]))


def source(obj, docstring=False, part=None):
    """Display the source of ``obj`` with syntax highlighting.

    By default the whole object without its docstring (the chapter's prose
    explains it). For an optimizer (a factory such as ``optlib.adam``, or a
    rule it returned), ``part="update"`` shows its ``update`` function (the
    per-step numbers, such as the bias corrections, then the per-leaf step)
    and ``part="step"`` only the per-leaf step: the lines that are the
    algorithm, without the validation and plumbing around them. In a plain
    terminal this is the code as text.

    >>> import optlib
    >>> print(source_text(optlib.sgd, part="step"))  # doctest: +ELLIPSIS
    def step(g, theta, b):
        if maximize:
            g = -g
    ...
        return -eta * g, b
    <BLANKLINE>
    """
    from IPython.display import Code

    return Code(source_text(obj, docstring, part), language="python")
