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
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert re.match(r"^[A-Za-z0-9_.\-\[\]]+==\S+$", line), f"not pinned exactly: {line!r}"


def test_binder_pins_match_requirements():
    main, binder = pins("requirements.txt"), pins("binder/requirements.txt")
    assert binder, "binder/requirements.txt pins nothing"
    for name, version in binder.items():
        assert name in main, f"binder pins {name}, which requirements.txt does not"
        # binder takes the CPU-only build of the same torch release (2.13.0+cpu)
        assert version.split("+")[0] == main[name], f"{name}: binder {version} vs requirements {main[name]}"


def test_torch_is_pinned_to_the_cpu_wheel_version():
    assert pins("requirements.txt")["torch"] == "2.13.0"
