"""Params, grads and optimizer state as trees of arrays.

A tree is an array (NumPy or torch), a Python float, or a dict, list or tuple
of trees. ``flatten`` turns a tree into a list of leaves plus a description of
its shape (the *treedef*); ``leaves_like`` pulls the leaves of a second tree
(grads, say) in the same order, and raises a ``ValueError`` that names the
first place where the two trees differ.
"""
import numbers

import numpy as np

from ._backend import is_torch


def _describe(x):
    return type(x).__name__ if not hasattr(x, "dtype") else f"{type(x).__name__} of dtype {x.dtype}"


def check_leaf(x, path):
    """Return ``x`` as an array leaf, or raise ``TypeError`` naming ``path``.

    Floating-point NumPy arrays/scalars and torch tensors pass through
    unchanged (same object, same dtype). Python real numbers become float64
    0-d arrays. Anything else (strings, None, integer or complex arrays) is an
    error: an optimizer step on integers would silently round.
    """
    if is_torch(x):
        if not x.is_floating_point():
            raise TypeError(f"{path} must be a floating-point tensor, got {_describe(x)}; convert it with .float() or .double()")
        return x
    if isinstance(x, (np.ndarray, np.generic)):
        if not np.issubdtype(x.dtype, np.floating):
            raise TypeError(f"{path} must be a floating-point array, got {_describe(x)}; convert it with .astype(float)")
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return np.asarray(float(x))
    raise TypeError(
        f"{path} must be a floating-point array, a torch tensor, a number, or a dict/list/tuple of them; got {_describe(x)}"
    )


def _children(tree):
    if isinstance(tree, dict):
        return list(tree.keys()), list(tree.values())
    if isinstance(tree, (list, tuple)):
        return list(range(len(tree))), list(tree)
    return None, None


def _rebuild(kind, keys, children):
    if kind is dict:
        return dict(zip(keys, children))
    if kind is list:
        return list(children)
    if hasattr(kind, "_fields"):  # a NamedTuple
        return kind(*children)
    return kind(children)


def _path(name, keys):
    """``params['w'][0]``: where in a tree, for error messages only."""
    return name + "".join(f"[{k!r}]" for k in keys)


def flatten(tree, name="params"):
    """Return ``(leaves, treedef)``; leaves are checked with :func:`check_leaf`."""
    leaves = []

    def walk(node, keys):
        if isinstance(node, dict):
            kind, children = dict, list(node.items())
        elif isinstance(node, (list, tuple)):
            kind, children = type(node), list(enumerate(node))
        else:
            # the error path is only formatted when there is an error
            leaves.append(node if is_torch(node) and node.is_floating_point() else check_leaf(node, _path(name, keys)))
            return None
        return (kind, tuple(k for k, _ in children), tuple(walk(c, keys + (k,)) for k, c in children))

    treedef = walk(tree, ())
    return leaves, treedef


def unflatten(treedef, leaves):
    """Inverse of :func:`flatten`."""
    it = iter(leaves)

    def build(td):
        if td is None:
            return next(it)
        kind, keys, children = td
        return _rebuild(kind, keys, [build(c) for c in children])

    return build(treedef)


def _kind_name(kind):
    return {dict: "a dict", list: "a list", tuple: "a tuple"}.get(kind, kind.__name__)


def leaves_like(tree, treedef, ref_leaves, name, ref_name="params"):
    """The leaves of ``tree`` in ``treedef``'s order, checked against it.

    Raises ``ValueError`` naming the first mismatch (kind of container, dict
    keys, list length, or leaf shape) and ``TypeError`` for non-numeric leaves.
    """
    leaves = []
    ref = iter(ref_leaves)

    def walk(node, td, keys):
        if td is None:
            if isinstance(node, (dict, list, tuple)):
                raise ValueError(f"{_path(name, keys)} is {_kind_name(type(node))} but {_path(ref_name, keys)} is an array")
            r = next(ref)
            if is_torch(node) and is_torch(r) and node.is_floating_point():
                leaf = node  # the common case, checked without formatting a path
            else:
                leaf = check_leaf(node, _path(name, keys))
                if is_torch(leaf) != is_torch(r):
                    raise TypeError(
                        f"{_path(name, keys)} and {_path(ref_name, keys)} must both be NumPy arrays or both be torch tensors"
                    )
            if leaf.shape != r.shape:
                raise ValueError(
                    f"{_path(name, keys)} has shape {tuple(leaf.shape)} but {_path(ref_name, keys)} has shape {tuple(r.shape)}"
                )
            leaves.append(leaf)
            return
        path = lambda: _path(name, keys)  # noqa: E731  (formatted only for an error)
        ref_path = lambda: _path(ref_name, keys)  # noqa: E731
        kind, td_keys, children = td
        node_keys, node_children = _children(node)
        if node_keys is None:
            raise ValueError(f"{path()} is an array but {ref_path()} is {_kind_name(kind)}")
        if kind is dict:
            if not isinstance(node, dict):
                raise ValueError(f"{path()} is {_kind_name(type(node))} but {ref_path()} is a dict")
            if set(node_keys) != set(td_keys):
                missing = sorted(map(repr, set(td_keys) - set(node_keys)))
                extra = sorted(map(repr, set(node_keys) - set(td_keys)))
                parts = ([f"missing keys {', '.join(missing)}"] if missing else []) + (
                    [f"unexpected keys {', '.join(extra)}"] if extra else []
                )
                raise ValueError(f"{path()} does not match {ref_path()}: {'; '.join(parts)}")
            node_children = [node[k] for k in td_keys]
        else:
            if isinstance(node, dict):
                raise ValueError(f"{path()} is a dict but {ref_path()} is {_kind_name(kind)}")
            if len(node_children) != len(td_keys):
                raise ValueError(
                    f"{path()} has length {len(node_children)} but {ref_path()} has length {len(td_keys)}"
                )
        for k, c, ctd in zip(td_keys, node_children, children):
            walk(c, ctd, keys + (k,))

    walk(tree, treedef, ())
    return leaves
