"""The instructor's guide (instructors.md) is generated from the chapters: it must be up to date and say what they say."""
import importlib.util
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_guide", ROOT / "tools" / "make_guide.py")
make_guide = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_guide)
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))


def test_guide_is_up_to_date():
    assert (ROOT / "instructors.md").read_text() == make_guide.render(), (
        "instructors.md is stale: run .venv/bin/python tools/make_guide.py")


def test_guide_is_in_the_table_of_contents():
    assert "file: instructors" in (ROOT / "_toc.yml").read_text()


def test_every_chapter_objective_and_checked_exercise_is_in_the_guide():
    guide = (ROOT / "instructors.md").read_text()
    for path in CHAPTERS:
        nb = json.loads(path.read_text())
        text = "\n".join("".join(c["source"]) for c in nb["cells"])
        glance = re.search(r"\*\*You will be able to\*\*\n(.*?)\n\n", text, re.S).group(1)
        for line in glance.splitlines():
            assert line in guide, f"{path.name}: objective missing from the guide: {line}"
        for call in re.findall(r"assert (optlib\.checks\.[\w.]+)\(", text):
            assert f"`{call}`" in guide, f"{path.name}: {call} missing from the guide"


def test_every_chapter_has_a_measured_run_time():
    times = json.loads((ROOT / "bench" / "notebook_times.json").read_text())
    assert set(times["seconds"]) == {p.name for p in CHAPTERS}
    assert all(0 < s < 60 for s in times["seconds"].values())


def test_exercise_numbers_the_course_plans_cite_exist():
    template = (ROOT / "tools" / "guide_template.md").read_text()
    counts = {int(p.name[:2]): len(make_guide.chapter(p)["exercises"]) for p in CHAPTERS}
    plans = template.split("## Course plans")[1].split("\n## ")[0]
    cited = re.findall(r"\b([1-9])\.(\d)\b", plans)
    assert cited
    for ch, ex in cited:
        assert 1 <= int(ex) <= counts[int(ch)], f"exercise {ch}.{ex} does not exist"
