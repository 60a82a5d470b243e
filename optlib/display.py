"""Two notebook helpers: show optlib's own source, and glue numbers into prose.

``source(optlib.sgd)`` displays the code the book is about (the real code,
read from the package, never a pasted copy). ``glue(name, value)`` shows a
value and records it for Jupyter Book, whose ``{glue:text}`name:.4f``` role
puts it into the prose: a number the text quotes is computed in a cell. It
writes the same output as ``myst_nb.glue``, without needing myst-nb
installed (Colab, Binder).
"""
import ast
import inspect
import textwrap

__all__ = ["glue", "source"]


def glue(name, value):
    """Display ``value`` and record it under ``name`` for ``{glue:text}`` roles.

    Floats are best rounded first (``glue("x1", round(x1, 6))``): the shown
    value is what nbval compares and what the prose quotes.
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import display

    bundle, metadata = format_display_data(value)
    metadata["scrapbook"] = {"name": name, "mime_prefix": ""}
    display(bundle, raw=True, metadata=metadata)


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


def source(obj, docstring=False):
    """Display the source of ``obj`` with syntax highlighting.

    By default without its docstring (the chapter's prose explains it). In a
    plain terminal this is the code as text.
    """
    from IPython.display import Code

    code = textwrap.dedent(inspect.getsource(obj))
    if not docstring:
        code = _without_docstring(code)
    return Code(code, language="python")
