#!/usr/bin/env python3
"""Checks the shipped systemd units (packaging/systemd/) with systemd's own
tools and against the real lastgood binary:

- `systemd-analyze verify` accepts lastgood.service and lastgood.timer without
  a single complaint. It runs on a private root directory holding the distro's
  units (sysinit.target, timers.target...), the real binary at the ExecStart
  path and the two units, so it works in a container without systemd as PID 1
  and without installing anything; --man=no since no man page is installed
  there. A broken copy of the unit must draw complaints (the check can fail).
- ExecStart runs `lastgood run` with options the binary accepts; the service
  is a oneshot, not root, secrets only through EnvironmentFile.
- `systemd-analyze security --offline` rates its exposure as OK (< 3.0).
- The timer fires daily, persistently, with a randomized delay.
- docs/operations.md points at these files instead of an ExecStart chain.

Usage: check_systemd_units.py --lastgood BIN --source REPO_ROOT
"""
import argparse
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def parse_unit(path):
    """{section: [(key, value), ...]} in file order (keys may repeat)."""
    sections, current = {}, None
    for raw in Path(path).read_text().splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections.setdefault(current, [])
            continue
        key, _, value = line.partition("=")
        sections[current].append((key.strip(), value.strip()))
    return sections


def values(unit, section, key):
    return [v for k, v in unit.get(section, []) if k == key]


def make_root(tmp, lastgood, units):
    root = Path(tmp) / "root"
    system_units = next(p for p in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system"))
                        if (p / "sysinit.target").exists())
    shutil.copytree(system_units, root / "usr/lib/systemd/system", symlinks=True)
    (root / "usr/bin").mkdir(parents=True)
    shutil.copy2(lastgood, root / "usr/bin/lastgood")
    etc = root / "etc/systemd/system"
    etc.mkdir(parents=True)
    for unit in units:
        shutil.copy2(unit, etc / Path(unit).name)
    return root, etc


def analyze_verify(root, unit_paths):
    cmd = ["systemd-analyze", "--man=no", "--generators=no", "verify", f"--root={root}",
           *map(str, unit_paths)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, (r.stdout + r.stderr).strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lastgood", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    source = Path(args.source)
    service_file = source / "packaging/systemd/lastgood.service"
    timer_file = source / "packaging/systemd/lastgood.timer"
    if not shutil.which("systemd-analyze"):
        print("FAIL: systemd-analyze is not installed (Debian package 'systemd'; "
              "scripts/setup-deps installs it)")
        return 1

    with tempfile.TemporaryDirectory() as tmp:
        root, etc = make_root(tmp, args.lastgood, [service_file, timer_file])
        rc, out = analyze_verify(root, [etc / "lastgood.service", etc / "lastgood.timer"])
        check(rc == 0 and out == "",
              f"systemd-analyze verify complained (exit {rc}):\n{out}")

        # The same check on a broken copy must fail, or it proves nothing.
        broken = etc / "lastgood-broken.service"
        text = service_file.read_text().replace("[Service]", "[Service]\nRestrt=always", 1)
        broken.write_text(text.replace("/usr/bin/lastgood", "/usr/bin/lastgood-missing"))
        rc_b, out_b = analyze_verify(root, [broken])
        check(rc_b != 0 and "Restrt" in out_b and "lastgood-missing" in out_b,
              f"systemd-analyze verify did not object to a broken unit (exit {rc_b}):\n{out_b}")
        broken.unlink()

        sec = subprocess.run(["systemd-analyze", "security", "--offline=yes", f"--root={root}",
                              "--no-pager", "lastgood.service"], capture_output=True, text=True)
        m = re.search(r"Overall exposure level for lastgood\.service: ([0-9.]+)", sec.stdout)
        if check(m is not None, f"systemd-analyze security gave no rating:\n{sec.stdout}{sec.stderr}"):
            check(float(m.group(1)) < 3.0,
                  f"exposure {m.group(1)} is not OK (< 3.0): tighten the hardening\n{sec.stdout}")

    service = parse_unit(service_file)
    check(values(service, "Service", "Type") == ["oneshot"], "Type= must be oneshot")
    users = values(service, "Service", "User")
    check(users and users[0] not in ("root", "0"), "the service must run as a dedicated user")
    check(values(service, "Service", "EnvironmentFile"), "secrets come from an EnvironmentFile=")
    for env in values(service, "Service", "Environment"):
        check(not re.search(r"(?i)password|secret|token|PGPASS|AWS_", env),
              f"a secret inline in Environment={env}")
    starts = values(service, "Service", "ExecStart")
    check(len(starts) == 1, f"exactly one ExecStart (no chain that stops early): {starts}")
    argv = shlex.split(starts[0]) if starts else []
    check(argv[:2] == ["/usr/bin/lastgood", "run"], f"ExecStart must run 'lastgood run': {argv}")
    check("--metrics" in argv and argv.index("--metrics") + 1 < len(argv)
          and argv[argv.index("--metrics") + 1].endswith(".prom"),
          f"ExecStart must write the metrics to a .prom file: {argv}")
    run_help = subprocess.run([args.lastgood, "run", "--help"], capture_output=True, text=True)
    check(run_help.returncode == 0, f"lastgood run --help failed: {run_help.stderr}")
    for option in (a for a in argv[2:] if a.startswith("--")):
        check(re.search(r"(^|\s)" + re.escape(option) + r"\b", run_help.stdout),
              f"ExecStart uses {option}, which 'lastgood run' does not have")

    timer = parse_unit(timer_file)
    check(values(timer, "Timer", "Persistent") == ["true"], "the timer must be Persistent=true")
    check(values(timer, "Timer", "RandomizedDelaySec"), "the timer needs a RandomizedDelaySec=")
    check(values(timer, "Install", "WantedBy") == ["timers.target"], "WantedBy=timers.target")
    calendars = values(timer, "Timer", "OnCalendar")
    if check(len(calendars) == 1, f"one OnCalendar=: {calendars}"):
        cal = subprocess.run(["systemd-analyze", "calendar", "--iterations=3", calendars[0]],
                             capture_output=True, text=True)
        check(cal.returncode == 0, f"OnCalendar={calendars[0]} is invalid: {cal.stderr}")
        days = re.findall(r"(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})",
                          cal.stdout)
        check(len(days) == 3 and len({t for _, t in days}) == 1 and len({d for d, _ in days}) == 3,
              f"OnCalendar={calendars[0]} does not fire once a day:\n{cal.stdout}")

    ops = (source / "docs/operations.md").read_text()
    for ref in ("packaging/systemd/lastgood.service", "packaging/systemd/lastgood.timer",
                "deploy/kubernetes/"):
        check(ref in ops, f"docs/operations.md does not point at {ref}")
    check("ExecStart=/usr/local/bin/lastgood scan" not in ops,
          "docs/operations.md still shows the old ExecStart chain")

    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("systemd units OK: verified, hardened, daily, running 'lastgood run'")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
