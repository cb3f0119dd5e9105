"""Every third-party Python dependency is pinned with hashes, and what installs Python packages uses the lock;
every container image is pinned to a version (issue 15)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("habitat_lock", ROOT / "tools" / "lock" / "lock.py")
lock = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lock)

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.MULTILINE)
IMAGE = re.compile(r"^[\w./-]+(:[\w.-]+)?$")


def pins(path: Path) -> dict[str, str]:
    return {lock.canonical(name): version for name, version in PIN.findall(path.read_text())}


@pytest.mark.parametrize(("path", "declared"), [
    (lock.RUNTIME_LOCK, lock.runtime_requirements),
    (lock.DEV_LOCK, lambda: lock.runtime_requirements() + lock.dev_requirements()),
])
def test_every_declared_requirement_is_pinned_with_a_hash_and_allowed_by_its_specifier(path: Path, declared) -> None:
    pinned, hashes = pins(path), lock.locked(path)
    requirements = [Requirement(r) for r in declared()]
    assert len(requirements) > 20
    for requirement in requirements:
        name = lock.canonical(requirement.name)
        assert name in pinned, f"{requirement} is not pinned in {path.name}: run `make lock`"
        assert hashes[name] >= 1, f"{name} has no --hash in {path.name}"
        assert requirement.specifier.contains(Version(pinned[name]), prereleases=True), (
            f"{path.name} pins {name}=={pinned[name]}, outside {requirement}: run `make lock`"
        )


def test_every_pin_in_the_locks_has_a_sha256_hash_and_the_two_locks_agree() -> None:
    runtime, dev = pins(lock.RUNTIME_LOCK), pins(lock.DEV_LOCK)
    for path in (lock.RUNTIME_LOCK, lock.DEV_LOCK):
        assert all(count >= 1 for count in lock.locked(path).values()), path.name
        assert "-e " not in path.read_text() and "file://" not in path.read_text()  # nothing machine-local
    assert runtime.items() <= dev.items()  # the images and the dev venv run the same versions
    assert not {name for name in dev if name.startswith("habitat-")}  # ours come from the tree


def test_the_lock_check_names_a_requirement_that_is_not_locked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert lock.problems() == []
    monkeypatch.setattr(lock, "dev_requirements", lambda: ["not-a-locked-package>=1"])
    assert lock.problems() == ["not-a-locked-package is not pinned in requirements-dev.lock"]


def test_the_dockerfile_make_install_and_ci_install_from_the_lock_with_hashes() -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "COPY requirements.lock" in dockerfile
    assert re.search(r"pip install --require-hashes --no-deps -r /src/requirements\.lock", dockerfile)
    assert re.search(r"pip install --no-deps --no-build-isolation /src/libs/habitat_common", dockerfile)
    assert "!requirements.lock" in (ROOT / "deploy" / "Dockerfile.dockerignore").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "LOCK := requirements-dev.lock" in makefile
    assert "pip install -q --require-hashes --no-deps -r $(LOCK)" in makefile
    assert "pip install -q --no-deps --no-build-isolation $(addprefix -e ,$(PACKAGES))" in makefile
    assert re.search(r"^lock:", makefile, re.MULTILINE) and "tools/lock/lock.py" in makefile
    assert not re.search(r"pip install (-q )?(--upgrade )?-r requirements-dev\.txt", makefile)
    assert "exec make test" in (ROOT / ".ci" / "run").read_text()  # CI installs through `make install`


def _images() -> dict[str, str]:
    compose = yaml.safe_load((ROOT / "docker-compose.prod.yml").read_text())
    found = {name: service["image"] for name, service in compose["services"].items() if "image" in service}
    for line in (ROOT / "deploy" / "Dockerfile").read_text().splitlines():
        if match := re.match(r"ARG PYTHON_IMAGE=(\S+)", line.strip()):
            found["Dockerfile base"] = match.group(1)
    return found


def test_no_image_floats() -> None:
    images = _images()
    assert "Dockerfile base" in images and "postgres" in images and "caddy" in images
    for where, image in images.items():
        if "${HABITAT_VERSION" in image:  # our own images: the release named in .env, required, no default
            assert re.fullmatch(r"\$\{HABITAT_REGISTRY:-\w+\}/\w+:\$\{HABITAT_VERSION:\?[^}]+\}", image), where
            continue
        tag = image.rsplit(":", 1)[1] if ":" in image.split("/")[-1] else ""
        assert tag, f"{where}: {image} has no tag"
        assert tag != "latest", f"{where}: {image}"
        # a full version (2.8.4, 15.10, v2.53.0), not a major line such as caddy:2 or postgres:15
        assert re.match(r"v?\d+\.\d+(\.\d+)?", tag), f"{where}: {image} floats along a release line"
