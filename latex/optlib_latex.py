"""A Sphinx extension for the PDF of the book (the LaTeX builder only).

sphinx-exercise labels a numbered exercise in LaTeX as ``exercise:<label>``
and resolves references to it only within one page. A reference from another
chapter (``{ref}`ex-gd-rescale``` in chapter 5 to an exercise of chapter 1)
becomes Sphinx's ``Exercise \\ref{<docname>:<label>}``, a label nobody
defines, so the PDF printed "Exercise ??". This adds that label to every
numbered exercise, carrying the number its title shows (``1.10.5``), through
``\\optlibnumberlabel`` of ``optlibbook.sty``.

A MyST table has no column widths, so Sphinx gives a table of more than 30
rows (LaTeX's longtable) columns that never wrap, and the notation table ran
off the page. Such a table gets widths in proportion to its columns' longest
entries (within limits), as if ``:widths:`` had been given.

Sphinx gathers every citation into one list at the very end of the LaTeX
document, a chapter of its own, which left the book's Bibliography chapter
(its introduction) empty and put the references after the last page of the
Reference part. The list is put back where the ``{bibliography}`` directive
is, under the chapter's introduction, without a heading of its own.

HTML builds are not touched.
"""
from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform


class ExerciseLabels(SphinxPostTransform):
    default_priority = 21  # after sphinx-exercise has numbered the titles (20)
    formats = ("latex",)

    def run(self, **kwargs):
        from sphinx_exercise.nodes import exercise_enumerable_node
        from sphinx_exercise.utils import get_node_number

        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for node in list(self.document.findall(exercise_enumerable_node)):
            label = node.get("label")
            if not label or label not in registry:
                continue
            number = get_node_number(self.app, node, "exercise")
            docname = registry[label].get("docname") or node.get("docname", "")
            if not number or not docname:
                continue
            target = rf"\optlibnumberlabel{{{number}}}{{\detokenize{{{docname}:{label}}}}}"
            node.insert(1, nodes.raw("", target + "\n", format="latex"))


class LongTableWidths(SphinxPostTransform):
    default_priority = 400
    formats = ("latex",)
    LONG = 30  # Sphinx's LaTeX writer makes a longtable of more rows than this
    NARROWEST, WIDEST = 6, 60  # characters: a column's share of the line lies between

    def run(self, **kwargs):
        for table in list(self.document.findall(nodes.table)):
            if "colwidths-given" in table["classes"]:
                continue
            tgroup = table.next_node(nodes.tgroup)
            if tgroup is None:
                continue
            colspecs = [c for c in tgroup.children if isinstance(c, nodes.colspec)]
            rows = [row for part in tgroup.children if isinstance(part, (nodes.thead, nodes.tbody))
                    for row in part.children if isinstance(row, nodes.row)]
            if len(rows) <= self.LONG or not colspecs:
                continue
            longest = [self.NARROWEST] * len(colspecs)
            for row in rows:
                for i, entry in enumerate(row.children[:len(colspecs)]):
                    longest[i] = max(longest[i], min(len(entry.astext()), self.WIDEST))
            for colspec, width in zip(colspecs, longest):
                colspec["colwidth"] = width
            if "colwidths-auto" in table["classes"]:
                table["classes"].remove("colwidths-auto")
            table["classes"].append("colwidths-given")


_HERE = "optlib-bibliography-here"


class MarkBibliography(SphinxPostTransform):
    default_priority = 749  # just before Sphinx gathers the citations (750)
    formats = ("latex",)

    def run(self, **kwargs):
        first = self.document.next_node(nodes.citation)
        if first is not None and first.parent is not None:
            first.parent.insert(first.parent.index(first), nodes.comment("", "", classes=[_HERE]))


class PlaceBibliography(SphinxPostTransform):
    default_priority = 751  # just after
    formats = ("latex",)

    def run(self, **kwargs):
        from sphinx.builders.latex.nodes import thebibliography

        here = [n for n in self.document.findall(nodes.comment) if _HERE in n["classes"]]
        lists = [n for n in self.document.children if isinstance(n, thebibliography)]
        if len(here) != 1 or len(lists) != 1:
            return  # nothing to move: Sphinx's own chapter at the end stays
        self.document.remove(lists[0])
        here[0].replace_self([nodes.raw("", "\\optlibbibinplacetrue\n", format="latex"), lists[0]])


def setup(app):
    app.add_post_transform(ExerciseLabels)
    app.add_post_transform(LongTableWidths)
    app.add_post_transform(MarkBibliography)
    app.add_post_transform(PlaceBibliography)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
