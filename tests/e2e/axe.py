"""axe-core (Deque's accessibility engine) for the browser tests, from the npm registry: a pinned version whose
tarball's SHA-512 is checked, unpacked once under .local/ (no CDN; npm pack only downloads)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

VERSION = "4.10.2"
TARBALL_SHA512 = (
    "444de6750ecfdc54527bb7aa096a1e43f67d417aed9e24a3a75c148ede67442dd6229cf9ad20af7baa377ec676682a49b6b663499823c170284cee64e2d108d3"
)
ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".local" / "axe-core" / VERSION / "axe.min.js"
# Only what blocks or seriously hinders someone fails a test; moderate and minor findings are printed.
BLOCKING = ("serious", "critical")


def axe_source() -> str:
    """The axe.min.js source, downloaded and verified on first use."""
    if not CACHE.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to fetch axe-core (deploy/lib/prerequisites.sh --with-test-tools installs it)"
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [npm, "pack", f"axe-core@{VERSION}", "--silent"], cwd=tmp, check=True, capture_output=True,
                timeout=120,
            )
            tarball = Path(tmp) / f"axe-core-{VERSION}.tgz"
            digest = hashlib.sha512(tarball.read_bytes()).hexdigest()
            assert digest == TARBALL_SHA512, f"axe-core {VERSION} tarball digest {digest} is not the pinned one"
            with tarfile.open(tarball) as archive:
                member = archive.extractfile("package/axe.min.js")
                assert member is not None
                CACHE.parent.mkdir(parents=True, exist_ok=True)
                CACHE.write_bytes(member.read())
    return CACHE.read_text()


def violations(page) -> list[dict]:
    """axe's WCAG 2.x A/AA violations on the page as it is now (impact, rule id, help, the first targets)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({impact: v.impact, id: v.id, help: v.help,
                                           targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return result


def blocking(found: list[dict]) -> list[dict]:
    return [v for v in found if v["impact"] in BLOCKING]
