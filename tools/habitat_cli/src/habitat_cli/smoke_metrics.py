"""`habitat smoke --metrics-file`: the run's outcome for Prometheus's node exporter (textfile collector).

The file is written whole under a temporary name and renamed, so the exporter never reads half of it.
The HabitatSmokeTestFailing and HabitatCertificateExpiring alerts read these series.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from habitat_cli.smoke_checks import Report


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def metrics_text(report: Report, now: float) -> str:
    """The exposition-format text of one smoke run (the certificate's expiry only when a handshake verified)."""
    lines = [
        "# HELP habitat_smoke_last_run_timestamp_seconds When habitat smoke last ran.",
        "# TYPE habitat_smoke_last_run_timestamp_seconds gauge",
        f"habitat_smoke_last_run_timestamp_seconds {now:.3f}",
        "# HELP habitat_smoke_checks_failed Checks that failed in the last habitat smoke run.",
        "# TYPE habitat_smoke_checks_failed gauge",
        f"habitat_smoke_checks_failed {report.failed}",
    ]
    if report.certificate_expires_at is not None:
        host = _escaped(urlsplit(report.url).hostname or "")
        lines += [
            "# HELP habitat_tls_certificate_expiry_timestamp_seconds When the site's TLS certificate expires.",
            "# TYPE habitat_tls_certificate_expiry_timestamp_seconds gauge",
            f'habitat_tls_certificate_expiry_timestamp_seconds{{host="{host}"}} {report.certificate_expires_at:.0f}',
        ]
    return "\n".join(lines) + "\n"


def write_metrics(path: Path, report: Report, now: float | None = None) -> None:
    """Replace path with the run's metrics, atomically (a temporary file in the same directory, renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(metrics_text(report, time.time() if now is None else now))
        os.chmod(temporary, 0o644)  # the node exporter runs as another user
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
