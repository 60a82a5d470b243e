"""Licences, citation metadata and attribution: present, consistent, and shown on the site.

- LICENSE (MIT, the code) names the copyright holder and year of _config.yml,
  as pyproject.toml's licence says;
- LICENSE-text.md puts the text and figures under CC BY 4.0 and says which
  parts each licence covers;
- CITATION.cff is valid Citation File Format 1.2.0 (checked key by key
  against the 1.2.0 schema's rules) and agrees with pyproject.toml,
  optlib.__version__ and _config.yml;
- the built site (make book; make book-student too when built) has the
  "Licences and attribution" page, listed under Reference, naming both
  licences and both datasets with their sources, and every page's footer
  names both licences and links to that page.
"""

import datetime
import html
import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

import optlib

ROOT = Path(__file__).resolve().parent.parent
SITES = {"site": ROOT / "_build" / "html", "student site": ROOT / "_build" / "student-site" / "html"}
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())

# Citation File Format 1.2.0: the top-level keys of its schema, and the required ones.
CFF_KEYS = {
    "abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi",
    "identifiers", "keywords", "license", "license-url", "message", "preferred-citation",
    "references", "repository", "repository-artifact", "repository-code", "title", "type",
    "url", "version",
}
CFF_REQUIRED = {"authors", "cff-version", "message", "title"}

# What the licences page must name (each also in optlib/data/README.md, the source of truth).
DATASET_FACTS = [
    "Optical Recognition of Handwritten Digits",
    "UCI Machine Learning Repository",
    "https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits",
    "https://doi.org/10.24432/C50P49",
    "Alpaydin",
    "Efron",
    "Least Angle Regression",
    "https://doi.org/10.1214/009053604000000067",
    "https://www4.stat.ncsu.edu/~boos/var.select/diabetes.html",
    "scikit-learn",
    "BSD 3-Clause",
]


def _text(path):
    """A page's text: tags dropped, entities decoded, whitespace collapsed."""
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", path.read_text(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]*>", " ", raw)))


def _built(name):
    site = SITES[name]
    if not (site / "index.html").exists():
        pytest.skip(f"no built {name} at {site.relative_to(ROOT)} (`make book`, `make book-student`)")
    return site


# ---- the files ----------------------------------------------------------------


def test_code_licence_is_mit_with_the_books_copyright_holder():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert f"Copyright (c) {CONFIG['copyright']} {CONFIG['author']}" in text
    assert "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND" in text
    assert PYPROJECT["project"]["license"] == "MIT"


def test_text_licence_is_cc_by_and_says_what_each_licence_covers():
    text = (ROOT / "LICENSE-text.md").read_text()
    assert "Creative Commons Attribution 4.0 International" in text and "CC BY 4.0" in text
    assert "https://creativecommons.org/licenses/by/4.0/" in text
    assert f"Copyright (c) {CONFIG['copyright']} {CONFIG['author']}" in text
    for covered in ("prose", "figures", "Markdown cells", "code cells", "`optlib`", "MIT", "optlib/data/README.md"):
        assert covered in text, covered


def test_citation_cff_is_valid_and_in_step():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert isinstance(cff, dict)
    assert CFF_REQUIRED <= cff.keys(), CFF_REQUIRED - cff.keys()
    assert cff.keys() <= CFF_KEYS, f"not Citation File Format 1.2.0 keys: {cff.keys() - CFF_KEYS}"
    assert cff["cff-version"] == "1.2.0"
    assert isinstance(cff["message"], str) and cff["message"].strip()
    assert isinstance(cff["title"], str) and cff["title"].strip()
    assert isinstance(cff["authors"], list) and cff["authors"]
    for author in cff["authors"]:  # a person (family-names) or an entity (name)
        assert isinstance(author, dict) and (author.get("name") or author.get("family-names")), author
    assert cff.get("type", "software") in ("software", "dataset")
    assert cff["license"] == PYPROJECT["project"]["license"] == "MIT"  # an SPDX identifier
    assert str(cff["version"]) == PYPROJECT["project"]["version"] == optlib.__version__
    assert cff["repository-code"] == CONFIG["repository"]["url"]
    assert urlsplit(cff["repository-code"]).scheme == "https"
    if "date-released" in cff:
        assert isinstance(cff["date-released"], datetime.date)
    assert {a.get("name") for a in cff["authors"]} == {CONFIG["author"]}


def test_licences_page_is_in_the_table_of_contents_under_reference():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    reference = next(part for part in toc["parts"] if part.get("caption") == "Reference")
    assert {"file": "licences"} in reference["chapters"]


def test_dataset_facts_are_those_of_optlib_data_readme():
    """The page's attribution says what the data's own README says (checked on the page below)."""
    readme = re.sub(r"\s+", " ", (ROOT / "optlib" / "data" / "README.md").read_text())
    for fact in DATASET_FACTS:
        assert fact in readme, f"{fact!r} is not in optlib/data/README.md"


def test_footer_names_both_licences():
    footer = CONFIG["html"]["extra_footer"]
    assert "MIT" in footer and "CC BY 4.0" in footer and 'href="licences.html"' in footer


# ---- the built sites ------------------------------------------------------------


@pytest.mark.parametrize("name", SITES)
def test_licences_page_is_built_and_names_licences_and_datasets(name):
    site = _built(name)
    page = site / "licences.html"
    assert page.is_file(), f"{page.relative_to(ROOT)} missing"
    text, raw = _text(page), page.read_text()
    assert "Licences and attribution" in text
    for needed in ("MIT licence", "CC BY 4.0", "Creative Commons Attribution 4.0 International",
                   f"Copyright (c) {CONFIG['copyright']} {CONFIG['author']}", *DATASET_FACTS):
        if needed.startswith("https://"):  # a source: linked
            assert f'href="{needed}"' in raw, f"{name}: the licences page does not link to {needed}"
        else:
            assert needed in text, f"{name}: the licences page does not name {needed!r}"
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in raw


@pytest.mark.parametrize("name", SITES)
def test_every_page_footer_links_to_the_licences_page(name):
    site = _built(name)
    skip = {"_static", "_sources", "_images"}
    pages = [p for p in site.rglob("*.html") if not skip.intersection(p.relative_to(site).parts)]
    pages = [p for p in pages if p.name != "index.html"]  # index.html only redirects to the root page
    assert len(pages) >= 5
    for page in pages:
        raw = page.read_text()
        footer = re.search(r'<div class="extra_footer">(.*?)</div>', raw, re.S)
        assert footer, f"{page.relative_to(site)}: no licence footer"
        assert "MIT" in footer.group(1) and "CC BY 4.0" in footer.group(1)
        link = re.search(r'href="([^"]*)">Licences and attribution<', footer.group(1))
        assert link, f"{page.relative_to(site)}: the footer does not link to the licences page"
        target = (page.parent / urlsplit(link.group(1)).path).resolve() if link.group(1) != "#" else page
        assert target == (site / "licences.html").resolve(), (
            f"{page.relative_to(site)}: footer link {link.group(1)!r} does not reach licences.html"
        )
