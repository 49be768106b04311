#!/usr/bin/env python3
"""Checks contrib/: promtool accepts the alert rules and their unit tests pass, and every
metric the Grafana dashboard and the rules name is one that a running runtime's /metrics
really exports (scraped from a headless runtime on a loopback port after a queue was made
and messages were sent).

    check_contrib.py QUEUEDECK_BINARY CONTRIB_DIR PROMTOOL
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml

# Series Prometheus itself writes for every scrape target, not exported by QueueDeck.
PROMETHEUS_SERIES = {"up"}

PROMQL_KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
                   "group_right", "offset", "bool", "inf", "nan"}


def metric_names(expr):
    """The metric names a PromQL expression reads: identifiers that are not functions,
    keywords, label names or inside strings and label matchers."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings ($variables included)
    text = re.sub(r"\{[^{}]*\}", " ", text)  # label matchers
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges and subqueries
    text = re.sub(r"\$\w+", " ", text)  # Grafana variables ($__rate_interval)
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        word = m.group(0)
        rest = text[m.end():].lstrip()
        if word.lower() in PROMQL_KEYWORDS or rest.startswith("("):
            continue
        # A number's exponent or a duration's unit is not a name.
        if m.start() > 0 and (text[m.start() - 1].isdigit() or text[m.start() - 1] == "."):
            continue
        names.add(word)
    return names


def dashboard_exprs(dashboard):
    exprs = []

    def walk(panels):
        for panel in panels:
            exprs.extend(t["expr"] for t in panel.get("targets", []) if t.get("expr"))
            walk(panel.get("panels", []))  # rows hold panels of their own

    walk(dashboard.get("panels", []))
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable.get("definition", "")
            m = re.fullmatch(r"label_values\((.*),\s*\w+\)", query)
            exprs.append(m.group(1) if m else query)
    return exprs


def rule_exprs(rules):
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def request(url, body=None, method=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as answer:
        return answer.status, answer.read()


def scrape_running_runtime(binary):
    """Metric names with at least one sample on a fresh runtime's /metrics, after a queue
    was made and messages were sent."""
    with tempfile.TemporaryDirectory() as data:
        process = subprocess.Popen([binary, "--headless", "--data-dir", data, "--port", "0"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            endpoint = None
            deadline = time.monotonic() + 60
            while endpoint is None and time.monotonic() < deadline:
                line = process.stdout.readline()
                if not line:
                    break
                m = re.search(r"listening on (http://127\.0\.0\.1:\d+/)", line)
                if m:
                    endpoint = m.group(1)
            if endpoint is None:
                sys.exit("the runtime did not start: " + process.stderr.read())
            status, _ = request(endpoint + "client/v4/accounts/local/queues", {"queue_name": "contrib-check"})
            assert status == 200, status
            status, _ = request(endpoint + "client/v4/accounts/local/queues/contrib-check/messages",
                                {"body": {"hello": "metrics"}})
            assert status == 200, status
            status, _ = request(endpoint, {"imageUrl": "http://127.0.0.1:1/none.png", "userId": "check"})
            assert status == 202, status
            _, text = request(endpoint + "metrics")
        finally:
            process.terminate()
            process.wait(timeout=30)
    exported = set()
    queues = set()
    for line in text.decode().splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'([A-Za-z_:][A-Za-z0-9_:]*)\{[^}]*queue="([^"]*)"', line)
        if m:
            exported.add(m.group(1))
            queues.add(m.group(2))
    assert "contrib-check" in queues and "images" in queues, f"queues on /metrics: {queues}"
    return exported


def main():
    binary, contrib, promtool = sys.argv[1:4]
    rules_path = os.path.join(contrib, "prometheus", "queuedeck-rules.yml")
    subprocess.run([promtool, "check", "rules", rules_path], check=True)
    subprocess.run([promtool, "test", "rules", "queuedeck-rules.test.yml"], check=True,
                   cwd=os.path.dirname(rules_path))

    with open(os.path.join(contrib, "grafana", "queuedeck.json")) as f:
        dashboard = json.load(f)
    with open(rules_path) as f:
        rules = yaml.safe_load(f)
    named = {}
    for where, exprs in (("dashboard", dashboard_exprs(dashboard)), ("rules", rule_exprs(rules))):
        assert exprs, f"no expressions found in the {where}"
        for expr in exprs:
            for name in metric_names(expr):
                named.setdefault(name, set()).add(where)

    exported = scrape_running_runtime(binary)
    print(f"/metrics exports {len(exported)} series: {', '.join(sorted(exported))}")
    unknown = {n: w for n, w in named.items() if n not in exported and n not in PROMETHEUS_SERIES}
    for name, where in sorted(unknown.items()):
        print(f"FAIL: {name} (named in the {' and '.join(sorted(where))}) is not on /metrics")
    # Every exported series shown somewhere is not required; a dashboard that names none is.
    assert named.keys() & exported, "the dashboard and rules name no exported series"
    print(f"{len(named)} names in the dashboard and rules, {len(unknown)} unknown")
    return 1 if unknown else 0


if __name__ == "__main__":
    sys.exit(main())
