"""Reads every surface a scenario produced and reduces it to plain lines.

  surfaces.py verdicts DIR   DIR/report.{text,markdown,json,html} and
                             DIR/metrics.prom: checks that all five give the
                             same verdict for every scope and check, then
                             prints "SCOPE<TAB>CHECK<TAB>VERDICT" lines and
                             "overall VERDICT".
  surfaces.py alerts METRICS RULES TIME...
                             evaluates the alert rules with promtool over the
                             metrics as written (timestamps put on promtool's
                             clock, where 0 is the moment of writing) and
                             prints "TIME ALERTNAME" for every alert firing.
"""
import html
import json
import os
import re
import subprocess
import sys
import tempfile

VERDICT_CODES = {"0": "OK", "1": "WARN", "2": "FAIL"}


def parse_text(text):
    out, scope = {}, None
    for line in text.splitlines():
        m = re.match(r"^(OK|WARN|FAIL)\s+(database|cluster) (.+)$", line)
        if m:
            scope = f"{m.group(2)} {m.group(3)}"
            continue
        m = re.match(r"^  (OK|WARN|FAIL)\s+(\S+)\s", line)
        if m and scope:
            out[(scope, m.group(2))] = m.group(1)
    overall = re.search(r"^overall: (\S+)$", text, re.M)
    return out, overall.group(1) if overall else None


def parse_markdown(text):
    out, scope = {}, None
    for line in text.splitlines():
        m = re.match(r"^## ((?:database|cluster) .+): (OK|WARN|FAIL)$", line)
        if m:
            scope = m.group(1)
            continue
        m = re.match(r"^\| (OK|WARN|FAIL) \| (\S+) \|", line)
        if m and scope:
            out[(scope, m.group(2))] = m.group(1)
    overall = re.search(r"\*\*Overall: (\S+)\*\*", text)
    return out, overall.group(1) if overall else None


def parse_json(text):
    doc = json.loads(text)
    out = {}
    for s in doc["scopes"]:
        name = f'{s["source"]}/{s["name"]}' if s.get("source") else s["name"]
        for i in s["items"]:
            out[(f'{s["kind"]} {name}', i["item"])] = i["verdict"]
    return out, doc["overall"]


def parse_html(text):
    out = {}
    for section in re.split(r"<h2>", text)[1:]:
        m = re.match(r"((?:database|cluster) [^<]+?) <span", section)
        if not m:
            continue
        scope = html.unescape(m.group(1))
        for v, item in re.findall(
            r'<tr><td class="v (OK|WARN|FAIL)">\1</td><td>([^<]+)</td>', section
        ):
            out[(scope, html.unescape(item))] = v
    return out, None


def parse_metrics(text):
    out, overall = {}, None
    for line in text.splitlines():
        m = re.match(r'^lastgood_check_status\{kind="([^"]*)",name="((?:[^"\\]|\\.)*)",check="([^"]+)"\} (\d)$', line)
        if m:
            name = m.group(2).replace('\\"', '"').replace("\\\\", "\\")
            out[(f"{m.group(1)} {name}", m.group(3))] = VERDICT_CODES[m.group(4)]
        m = re.match(r"^lastgood_status (\d)$", line)
        if m:
            overall = VERDICT_CODES[m.group(1)]
    return out, overall


def verdicts(directory):
    read = lambda name: open(os.path.join(directory, name), encoding="utf-8").read()
    surfaces = {
        "text": parse_text(read("report.text")),
        "markdown": parse_markdown(read("report.markdown")),
        "json": parse_json(read("report.json")),
        "html": parse_html(read("report.html")),
        "metrics": parse_metrics(read("metrics.prom")),
    }
    reference, overall = surfaces["json"]
    problems = []
    for name, (table, their_overall) in surfaces.items():
        if table != reference:
            keys = sorted(set(table) | set(reference))
            diff = [f"{k}: json {reference.get(k)} vs {name} {table.get(k)}" for k in keys if table.get(k) != reference.get(k)]
            problems.append(f"{name} disagrees with json: " + "; ".join(diff))
        if their_overall is not None and their_overall != overall:
            problems.append(f"{name} overall {their_overall}, json overall {overall}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    for (scope, check), v in sorted(reference.items()):
        print(f"{scope}\t{check}\t{v}")
    print(f"overall {overall}")
    return 0


def seconds(duration):
    m = re.fullmatch(r"(\d+)([smhd])", duration)
    return int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def alerts(metrics_path, rules_path, times):
    text = open(metrics_path, encoding="utf-8").read()
    written = re.search(r"^lastgood_metrics_generated_timestamp_seconds (\S+)$", text, re.M)
    now = float(written.group(1)) if written else 0.0
    horizon = max(seconds(t) for t in times)
    samples = horizon // 300 + 2
    series = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name_labels, value = line.rsplit(" ", 1)
        if value in ("+Inf", "-Inf", "NaN"):
            continue
        v = float(value)
        if re.match(r"^\w+_timestamp_seconds", name_labels):
            v -= now  # the moment of writing is promtool's time 0
        labels = 'instance="scenario",job="node"'
        if "{" in name_labels:
            name, rest = name_labels.split("{", 1)
            name_labels = f"{name}{{{rest[:-1]},{labels}}}"
        else:
            name_labels = f"{name_labels}{{{labels}}}"
        series.append({"series": name_labels, "values": f"{v:g}x{samples}"})
    rules = open(rules_path, encoding="utf-8").read()
    names = re.findall(r"^\s*- alert: (\w+)$", rules, re.M)
    with tempfile.TemporaryDirectory() as tmp:
        test = {
            "rule_files": [os.path.abspath(rules_path)],
            "evaluation_interval": "1m",
            "tests": [{
                "interval": "5m",
                "input_series": series,
                "alert_rule_test": [{"eval_time": t, "alertname": n, "exp_alerts": []} for t in times for n in names],
            }],
        }
        path = os.path.join(tmp, "scenario.test.yml")
        with open(path, "w") as f:
            json.dump(test, f)  # JSON is YAML
        r = subprocess.run(["promtool", "test", "rules", path], capture_output=True, text=True)
    report = r.stdout + r.stderr
    if r.returncode != 0 and "alertname:" not in report:
        print(report, file=sys.stderr)
        return 1
    # promtool names each expectation that failed: an alert that fired.
    by_seconds = {seconds(t): t for t in times}
    for m in re.finditer(r"alertname: (\w+), time: (\S+?),", report):
        t = promtool_duration(m.group(2))
        print(f"{by_seconds.get(t, m.group(2))} {m.group(1)}")
    return 0


def promtool_duration(text):
    total = 0
    for n, unit in re.findall(r"(\d+)([a-z]+)", text):
        total += int(n) * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}[unit]
    return total


if __name__ == "__main__":
    if sys.argv[1] == "verdicts":
        sys.exit(verdicts(sys.argv[2]))
    if sys.argv[1] == "alerts":
        sys.exit(alerts(sys.argv[2], sys.argv[3], sys.argv[4:]))
    sys.exit(__doc__)
