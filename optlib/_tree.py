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


def flatten(tree, name="params"):
    """Return ``(leaves, treedef)``; leaves are checked with :func:`check_leaf`."""
    leaves = []

    def walk(node, path):
        keys, children = _children(node)
        if keys is None:
            leaves.append(check_leaf(node, path))
            return None
        kind = dict if isinstance(node, dict) else type(node)
        return (kind, tuple(keys), tuple(walk(c, f"{path}[{k!r}]") for k, c in zip(keys, children)))

    treedef = walk(tree, name)
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

    def walk(node, td, path, ref_path):
        if td is None:
            keys, _ = _children(node)
            if keys is not None:
                raise ValueError(f"{path} is {_kind_name(type(node))} but {ref_path} is an array")
            leaf = check_leaf(node, path)
            r = next(ref)
            if tuple(leaf.shape) != tuple(r.shape):
                raise ValueError(
                    f"{path} has shape {tuple(leaf.shape)} but {ref_path} has shape {tuple(r.shape)}"
                )
            if is_torch(leaf) != is_torch(r):
                raise TypeError(f"{path} and {ref_path} must both be NumPy arrays or both be torch tensors")
            leaves.append(leaf)
            return
        kind, keys, children = td
        node_keys, node_children = _children(node)
        if node_keys is None:
            raise ValueError(f"{path} is an array but {ref_path} is {_kind_name(kind)}")
        if kind is dict:
            if not isinstance(node, dict):
                raise ValueError(f"{path} is {_kind_name(type(node))} but {ref_path} is a dict")
            if set(node_keys) != set(keys):
                missing = sorted(map(repr, set(keys) - set(node_keys)))
                extra = sorted(map(repr, set(node_keys) - set(keys)))
                parts = ([f"missing keys {', '.join(missing)}"] if missing else []) + (
                    [f"unexpected keys {', '.join(extra)}"] if extra else []
                )
                raise ValueError(f"{path} does not match {ref_path}: {'; '.join(parts)}")
            node_children = [node[k] for k in keys]
        else:
            if isinstance(node, dict):
                raise ValueError(f"{path} is a dict but {ref_path} is {_kind_name(kind)}")
            if len(node_children) != len(keys):
                raise ValueError(
                    f"{path} has length {len(node_children)} but {ref_path} has length {len(keys)}"
                )
        for k, c, ctd in zip(keys, node_children, children):
            walk(c, ctd, f"{path}[{k!r}]", f"{ref_path}[{k!r}]")

    walk(tree, treedef, name, ref_name)
    return leaves
