"""Project files that must agree with each other."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent


def pins(path):
    out = {}
    for line in (ROOT / path).read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s#]+)", line.strip())
        if m:
            out[m.group(1).lower()] = m.group(2)
    return out


def test_every_direct_dependency_is_pinned():
    for name in ("requirements.txt", "requirements-lab.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line:
                assert re.match(r"^[A-Za-z0-9_.\-\[\]]+==\S+$", line), f"{name}: not pinned exactly: {line!r}"


def test_binder_pins_match_requirements():
    main, binder = pins("requirements.txt"), pins("binder/requirements.txt")
    assert binder, "binder/requirements.txt pins nothing"
    for name, version in binder.items():
        assert name in main, f"binder pins {name}, which requirements.txt does not"
        # binder takes the CPU-only build of the same torch release (2.13.0+cpu)
        assert version.split("+")[0] == main[name], f"{name}: binder {version} vs requirements {main[name]}"


def test_torch_is_pinned_to_the_cpu_wheel_version():
    assert pins("requirements.txt")["torch"] == "2.13.0"


def test_the_wheel_takes_every_subpackage_and_data_file():
    import fnmatch
    import tomllib

    import setuptools

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = set(setuptools.find_packages(where=ROOT, include=config["packages"]["find"]["include"]))
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "optlib").rglob("__init__.py")}
    assert on_disk and on_disk <= found
    patterns = config["package-data"]["optlib"]
    for path in (ROOT / "optlib" / "data").iterdir():
        if path.name != "__pycache__":
            rel = path.relative_to(ROOT / "optlib").as_posix()
            assert any(fnmatch.fnmatch(rel, pat) for pat in patterns), f"{rel} would be left out of the wheel"
