"""The PromQL the operators look at: every Grafana panel's query and every alert's signal, ready to evaluate.

deploy/grafana/dashboards/*.json are provisioned into Grafana; deploy/prometheus/alerts.yml is Prometheus's
rule file. Both are checked against a live Prometheus (tests/e2e/test_observability_live.py): each query
must parse and return at least one series, so a renamed metric or a typo shows up before an empty panel
or an alert that can never fire does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from habitat_devstack.stack import ROOT

DASHBOARDS = ROOT / "deploy" / "grafana" / "dashboards"
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
# what Grafana puts in for its interval macros; rate windows must span a few scrapes
MACROS = {
    "$__rate_interval": "1m",
    "${__rate_interval}": "1m",
    "$__interval": "15s",
    "${__interval}": "15s",
    "$__range": "5m",
    "${__range}": "5m",
    "$__range_s": "300",
    "$__range_ms": "300000",
}
KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset",
    "inf", "nan", "atan2",
}
COMPARISON = r"(?:==|!=|>=|<=|>|<)(?:\s*bool)?"
NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
SCALAR = rf"{NUMBER}(?:\s*[-+*/]\s*{NUMBER})*"  # a threshold such as 26 * 3600
TRAILING_COMPARISON = re.compile(rf"\s*{COMPARISON}\s*{SCALAR}\s*$")
LEADING_COMPARISON = re.compile(rf"^\s*{SCALAR}\s*{COMPARISON}\s*")
SET_OPERATOR = re.compile(r"\b(?:and|or|unless)\b(?:\s*(?:on|ignoring)\s*\([^)]*\))?")


@dataclass(frozen=True)
class Query:
    """One PromQL expression and where an operator meets it."""

    source: str  # "<dashboard> / <panel> / <refId>", "<dashboard> / variable <name>" or "alert <name>"
    expr: str


def load_dashboards(directory: Path = DASHBOARDS) -> dict[str, dict]:
    """Every provisioned dashboard, by file name."""
    return {path.name: json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))}


def panels(dashboard: dict) -> Iterator[dict]:
    """Every panel, including those nested in (collapsed) rows; rows themselves excluded."""
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            yield from panel.get("panels", [])
        else:
            yield panel


def variable_query(variable: dict) -> str:
    """A query variable's query text (Grafana stores it as a string or as {query: ...})."""
    query = variable.get("query", "")
    return query.get("query", "") if isinstance(query, dict) else query


def substitute(expr: str, values: dict[str, str]) -> str:
    """Expand Grafana's interval macros and the dashboard's variables ($name, ${name}, ${name:regex})."""
    for macro in sorted(MACROS, key=len, reverse=True):
        expr = expr.replace(macro, MACROS[macro])
    for name in sorted(values, key=len, reverse=True):
        expr = re.sub(rf"\$\{{{name}(?::\w+)?\}}|\${name}\b", lambda _m, v=values[name]: v, expr)
    return expr


def label_values_selector(query: str) -> tuple[str, str] | None:
    """(series selector, label) of a `label_values(selector, label)` variable query; None for another kind."""
    match = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\s*\)\s*", query, re.DOTALL)
    return (match[1].strip(), match[2]) if match else None


def dashboard_queries(name: str, dashboard: dict, values: dict[str, str]) -> list[Query]:
    """Every panel target and query variable of one dashboard, its variables replaced by `values`."""
    title = dashboard.get("title", name)
    found = []
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query" and (parsed := label_values_selector(variable_query(variable))):
            found.append(Query(f"{title} / variable {variable['name']}", substitute(parsed[0], values)))
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            source = f"{title} / {panel.get('title')} / {target.get('refId')}"
            found.append(Query(source, substitute(target.get("expr", ""), values)))
    return found


def all_value(variable: dict) -> str | None:
    """The regex a multi-value variable stands for when 'All' is chosen; None when it has no 'All'."""
    if not variable.get("includeAll"):
        return None
    return variable.get("allValue") or ".*"


def alert_rules(path: Path = ALERTS) -> list[dict]:
    """Every alerting and recording rule of the rule file."""
    return [rule for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"]]


def alert_signals(path: Path = ALERTS) -> list[Query]:
    """Each alert's signal: its expr without the threshold comparison, absent() unwrapped, `and` guards split.

    alerts.yml's convention is `<signal> <comparison> <threshold>` or `absent(<selector>)`, optionally
    joined by and/or/unless to a guard of the same form; each part must have data for the alert to mean
    anything, whatever the threshold.
    """
    found = []
    for rule in alert_rules(path):
        name = rule.get("alert") or rule["record"]
        parts = split_top_level(rule["expr"].strip())
        for index, part in enumerate(parts):
            suffix = f" (part {index + 1})" if len(parts) > 1 else ""
            found.append(Query(f"alert {name}{suffix}", signal(part)))
    return found


def signal(expr: str) -> str:
    """One operand of an alert: the series it watches."""
    expr = strip_parentheses(expr.strip())
    absent = re.fullmatch(r"absent(?:_over_time)?\((.*)\)", expr, re.DOTALL)
    if absent:
        return signal(absent[1])
    stripped = LEADING_COMPARISON.sub("", TRAILING_COMPARISON.sub("", expr))
    return strip_parentheses(stripped.strip()) if stripped != expr else expr


def strip_parentheses(expr: str) -> str:
    """`(x)` -> `x` when the outer parentheses enclose the whole expression."""
    while expr.startswith("(") and expr.endswith(")") and _closing(expr, 0) == len(expr) - 1:
        expr = expr[1:-1].strip()
    return expr


def _closing(expr: str, start: int) -> int:
    depth = 0
    for index in range(start, len(expr)):
        depth += {"(": 1, ")": -1}.get(expr[index], 0)
        if depth == 0:
            return index
    return -1


def split_top_level(expr: str) -> list[str]:
    """Split on and/or/unless outside parentheses, brackets and braces."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(expr):
        char = expr[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and (match := SET_OPERATOR.match(expr, index)) and _word_boundary(expr, index):
            parts.append(expr[start:index].strip())
            index = start = match.end()
            continue
        index += 1
    parts.append(expr[start:].strip())
    return [part for part in parts if part]


def _word_boundary(expr: str, index: int) -> bool:
    return index == 0 or not (expr[index - 1].isalnum() or expr[index - 1] in "_:")


def metric_names(expr: str) -> set[str]:
    """The metric names an expression reads (functions, keywords, labels and durations left out)."""
    text = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'', "", expr)  # strings
    text = re.sub(r"\$\{[^}]*\}|\$\w+", "", text)  # unexpanded variables
    text = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", text)  # label matchers, range and subquery windows
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        following = text[match.end():].lstrip()
        if match.group() in KEYWORDS or following.startswith("("):
            continue
        if match.start() > 0 and (text[match.start() - 1].isdigit() or text[match.start() - 1] == "."):
            continue  # the exponent or unit of a number
        names.add(match.group())
    return names
