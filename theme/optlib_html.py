"""A Sphinx extension for the web site's markup (HTML builders only).

docutils writes a bibliography as ``<div role="list">`` of entries with
``role="doc-biblioentry"``, a role DPUB-ARIA 1.1 deprecated: browsers and
axe then no longer see list items in the list, only the links inside the
entries (axe rule aria-required-children, critical). The entries here get
``role="listitem"``, which DPUB-ARIA 1.1 asks for instead; the markup is
otherwise docutils' own.
"""


def _listitem_citations(app):
    if app.builder.format != "html":
        return
    base = app.builder.get_translator_class()
    if base is None:  # a builder without a translator of its own (linkcheck)
        return

    class Translator(base):
        def visit_citation(self, node):
            if not isinstance(node.previous_sibling(), type(node)):
                self.body.append('<div role="list" class="citation-list">\n')
            self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))

    Translator.__name__ = f"Citations{base.__name__}"
    app.set_translator(app.builder.name, Translator, override=True)


def setup(app):
    # After the theme has set its translator (pydata-sphinx-theme, at priority 500).
    app.connect("builder-inited", _listitem_citations, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
