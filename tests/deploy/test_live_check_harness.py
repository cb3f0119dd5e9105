"""The live check's harness (tests/e2e/test_observability_live.py) reads alerts and Prometheus's jobs right.

Without a stack: the alert signals it evaluates, and the Prometheus config it writes from compose's jobs.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml
from habitat_devstack import dashboards as queries
from habitat_devstack.monitoring import PROMETHEUS_CONFIG, RULES, MissingTarget, scrape_config


def test_alert_signals_drop_the_threshold_unwrap_absent_and_split_guards(tmp_path) -> None:
    rules = tmp_path / "alerts.yml"
    rules.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [
        {"alert": "Slow", "expr": "histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m]))) > 0.5"},
        {"alert": "Gone", "expr": 'absent(up{job="gateway"} == 1)'},
        {"alert": "Old", "expr": "time() - max(habitat_backup_last_success_timestamp_seconds) > 26 * 3600"},
        {"alert": "Guarded", "expr": "(sum(rate(a[5m])) > 1) and on () (sum(rate(b[5m])) >= 20)"},
    ]}]}))
    assert [(q.source, q.expr) for q in queries.alert_signals(rules)] == [
        ("alert Slow", "histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))"),
        ("alert Gone", 'up{job="gateway"}'),
        ("alert Old", "time() - max(habitat_backup_last_success_timestamp_seconds)"),
        ("alert Guarded (part 1)", "sum(rate(a[5m]))"),
        ("alert Guarded (part 2)", "sum(rate(b[5m]))"),
    ]


def test_the_live_check_maps_every_compose_job_to_a_local_target_and_prometheus_accepts_it(tmp_path) -> None:
    compose = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    jobs = [job["job_name"] for job in compose["scrape_configs"]]
    targets = {job: f"127.0.0.1:{9000 + i}" for i, job in enumerate(jobs)}
    with pytest.raises(MissingTarget, match=jobs[-1]):
        scrape_config(compose, {job: t for job, t in targets.items() if job != jobs[-1]}, [str(RULES)], "2s")
    config = scrape_config(compose, targets, [str(RULES)], "2s")
    for job, local in zip(compose["scrape_configs"], config["scrape_configs"], strict=True):
        assert local["static_configs"] == [{"targets": [targets[job["job_name"]]]}]
        assert local.get("metrics_path") == job.get("metrics_path")
        assert not any(key.endswith("_sd_configs") or key.startswith("scrape_") for key in local)
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    promtool = shutil.which("promtool") or pytest.skip("promtool is not installed (apt-get install -y prometheus)")
    checked = subprocess.run([promtool, "check", "config", str(path)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
