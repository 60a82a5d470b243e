"""Copy the browser assets the book serves offline from node_modules/ into _assets/.

The site must work with no network: MathJax, require.js and the Jupyter widget
manager are installed at pinned versions by ``npm ci`` (package.json +
package-lock.json) and this script copies the few files a page needs into
``_assets/``, which ``_config.yml`` lists in ``html_static_path`` (so Sphinx
publishes them under ``_build/html/_static/``).  Nothing here is committed.

    python tools/offline_assets.py            # copy (after `npm ci`)
    python tools/offline_assets.py --check    # exit 1 if _assets/ is incomplete

The folder is deliberately not called ``_static``: Jupyter Book injects every
.js/.css file found under a root ``_static/`` into every page.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
DEST = ROOT / "_assets"

# (package, source inside the package, destination inside _assets/).
# A directory is copied whole; keep this list short, every byte ships with the site.
COPIES = [
    # MathJax 3: the TeX-input / CommonHTML-output bundle, its web fonts, and
    # the TeX extensions it autoloads on demand (\boldsymbol, \cancel, ...).
    ("mathjax", "es5/tex-chtml.js", "mathjax/tex-chtml.js"),
    ("mathjax", "es5/output/chtml/fonts/woff-v2", "mathjax/output/chtml/fonts/woff-v2"),
    ("mathjax", "es5/input/tex/extensions", "mathjax/input/tex/extensions"),
    ("mathjax", "LICENSE", "mathjax/LICENSE"),
    # AMD loader that the widget manager needs.
    ("requirejs", "require.js", "requirejs/require.js"),
    # Renders saved ipywidgets state on a static page.
    ("@jupyter-widgets/html-manager", "dist/embed-amd.js", "jupyter-widgets/embed-amd.js"),
]

# Versions the site was tested with; package.json pins the same ones.
EXPECTED = {
    "mathjax": "3.2.2",
    "requirejs": "2.3.8",
    "@jupyter-widgets/html-manager": "1.0.15",
}


def installed_version(package: str) -> str:
    meta = NODE / package / "package.json"
    if not meta.is_file():
        sys.exit(f"offline_assets: {meta} missing; run `npm ci` first")
    return json.loads(meta.read_text())["version"]


def targets() -> list[Path]:
    return [DEST / dst for _, _, dst in COPIES]


def copy() -> None:
    for package, want in EXPECTED.items():
        got = installed_version(package)
        if got != want:
            sys.exit(f"offline_assets: {package} is {got}, expected {want}; run `npm ci`")
    if DEST.exists():
        shutil.rmtree(DEST)
    for package, src, dst in COPIES:
        source, target = NODE / package / src, DEST / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    (DEST / "VERSIONS.json").write_text(json.dumps(EXPECTED, indent=2) + "\n")
    size = sum(p.stat().st_size for p in DEST.rglob("*") if p.is_file())
    print(f"offline_assets: copied {len(COPIES)} items into {DEST.name}/ ({size / 1e6:.1f} MB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that _assets/ is complete")
    args = parser.parse_args()
    if args.check:
        missing = [str(p.relative_to(ROOT)) for p in targets() if not p.exists()]
        if missing:
            print("offline_assets: missing " + ", ".join(missing), file=sys.stderr)
            return 1
        return 0
    copy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
