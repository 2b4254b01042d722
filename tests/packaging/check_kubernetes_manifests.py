#!/usr/bin/env python3
"""Checks deploy/kubernetes/ without a cluster (no kubectl here): every
manifest parses and names itself; the kustomization lists them all; the
CronJob's image is the one deploy/container/Containerfile builds from the
Debian package; the
CronJob runs `lastgood run` with options the real binary has, with --config
pointing into the mounted ConfigMap and --catalog and TMPDIR on the
PersistentVolumeClaims shipped beside it; secrets are only referenced (a
secretRef), never shipped; and the ConfigMap's config.toml is accepted by the
real binary. The worker Deployment (deploy/kubernetes/fleet/, check_worker) runs `lastgood run --loop`
replicas that take the catalog location from a Secret.

Usage: check_kubernetes_manifests.py --lastgood BIN --source REPO_ROOT
"""
import argparse
import posixpath
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import yaml

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def option_value(argv, name):
    if name in argv and argv.index(name) + 1 < len(argv):
        return argv[argv.index(name) + 1]
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lastgood", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    deploy = Path(args.source) / "deploy/kubernetes"

    docs = {}  # (kind, name) -> document
    files = sorted(p for p in deploy.glob("*.yaml") if p.name != "kustomization.yaml")
    for path in files:
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is None:
                continue
            kind, name = doc.get("kind"), (doc.get("metadata") or {}).get("name")
            check(doc.get("apiVersion") and kind and name,
                  f"{path.name}: a document without apiVersion, kind or metadata.name")
            docs[(kind, name)] = doc
    kustomization = yaml.safe_load((deploy / "kustomization.yaml").read_text())
    check(sorted(kustomization.get("resources", [])) == [p.name for p in files],
          f"kustomization.yaml lists {kustomization.get('resources')}, the folder has "
          f"{[p.name for p in files]}")
    # The fleet (deploy/kubernetes/fleet/): its own kustomization, the same ConfigMap.
    fleet = deploy / "fleet"
    fleet_files = sorted(p for p in fleet.glob("*.yaml") if p.name != "kustomization.yaml")
    for path in fleet_files:
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is None:
                continue
            kind, name = doc.get("kind"), (doc.get("metadata") or {}).get("name")
            check(doc.get("apiVersion") and kind and name,
                  f"fleet/{path.name}: a document without apiVersion, kind or metadata.name")
            docs[(kind, name)] = doc
    if check((fleet / "kustomization.yaml").is_file(), "fleet/kustomization.yaml is missing"):
        listed = yaml.safe_load((fleet / "kustomization.yaml").read_text()).get("resources", [])
        check(sorted(listed) == [p.name for p in fleet_files],
              f"fleet/kustomization.yaml lists {listed}, the folder has {[p.name for p in fleet_files]}")
    check(not any(kind == "Secret" for kind, _ in docs),
          "a Secret is shipped: reference it (secretRef), never ship it")
    containerfile, built_tags = Path(args.source) / "deploy/container/Containerfile", []
    if check(containerfile.is_file(), "deploy/container/Containerfile is missing"):
        text = containerfile.read_text()
        check(re.search(r"^FROM debian:12-slim$", text, re.M), "the image is not FROM debian:12-slim")
        check(re.search(r"^COPY lastgood_\*_amd64\.deb ", text, re.M)
              and "apt-get install" in text and "/tmp/lastgood_*_amd64.deb" in text,
              "the Containerfile does not install the Debian package scripts/package builds")
        built_tags = re.findall(r"build -f deploy/container/Containerfile -t (\S+)", text)
        check(built_tags, "the Containerfile does not say how to build it (podman build ... -t TAG)")

    check_cronjob(docs, built_tags, args)
    check_worker(docs, built_tags, args)
    return report()


def check_cronjob(docs, built_tags, args):
    cronjob = docs.get(("CronJob", "lastgood"))
    if not check(cronjob is not None, "no CronJob named lastgood"):
        return
    spec = cronjob["spec"]
    check(len(str(spec.get("schedule", "")).split()) == 5, f"schedule {spec.get('schedule')!r}")
    check(spec.get("concurrencyPolicy") == "Forbid", "two runs must not overlap (Forbid)")
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    check(pod.get("restartPolicy") == "Never", "restartPolicy: Never (a failed run is a finding)")
    containers = pod.get("containers", [])
    if not check(len(containers) == 1, "one container"):
        return
    container = containers[0]
    check(container.get("image") in built_tags,
          f"the CronJob runs image {container.get('image')!r}, the Containerfile builds {built_tags}")
    argv = list(container.get("command", [])) + list(container.get("args", []))
    check(argv and posixpath.basename(argv[0]) == "lastgood", f"the container runs {argv[:1]}")
    if not check("run" in argv, f"the container does not run 'lastgood run': {argv}"):
        return
    global_args, run_args = argv[1:argv.index("run")], argv[argv.index("run") + 1:]

    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    mounts = {m["mountPath"]: m for m in container.get("volumeMounts", [])}

    def volume_at(directory):
        mount = mounts.get(directory)
        return volumes.get(mount["name"]) if mount else None

    config_text = None
    config_path = option_value(global_args, "--config")
    if check(config_path, f"no --config before 'run': {argv}"):
        volume = volume_at(posixpath.dirname(config_path))
        if check(volume and "configMap" in volume,
                 f"--config {config_path}: no ConfigMap mounted at {posixpath.dirname(config_path)}"):
            cm = docs.get(("ConfigMap", volume["configMap"]["name"]))
            key = posixpath.basename(config_path)
            if check(cm and key in cm.get("data", {}),
                     f"ConfigMap {volume['configMap']['name']} with key {key} is not shipped"):
                config_text = cm["data"][key]
    claims = {name for kind, name in docs if kind == "PersistentVolumeClaim"}
    catalog = option_value(global_args, "--catalog")
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    for what, path in (("--catalog", catalog and posixpath.dirname(catalog)),
                       ("TMPDIR (scratch space)", env.get("TMPDIR"))):
        volume = volume_at(path) if path else None
        check(volume and volume.get("persistentVolumeClaim", {}).get("claimName") in claims,
              f"{what} {path} is not on a PersistentVolumeClaim shipped in deploy/kubernetes")
    secret_refs = [e["secretRef"]["name"] for e in container.get("envFrom", []) if "secretRef" in e]
    check(secret_refs, "the container takes its secrets from no Secret (envFrom secretRef)")
    for name, value in env.items():
        check(not re.search(r"(?i)password|secret|token|key", name),
              f"env {name} looks like a secret given inline")

    # The options are the binary's own.
    helps = {
        "global": subprocess.run([args.lastgood, "--help"], capture_output=True, text=True).stdout,
        "run": subprocess.run([args.lastgood, "run", "--help"], capture_output=True, text=True).stdout,
    }
    for where, options in (("global", global_args), ("run", run_args)):
        for option in (o for o in options if o.startswith("--")):
            check(re.search(r"(^|\s)" + re.escape(option) + r"\b", helps[where]),
                  f"'lastgood {'' if where == 'global' else 'run '}' has no option {option}")

    # The configuration is valid TOML and accepted by lastgood (report reads all of it:
    # exit 0 or 3 is a verdict, 2 would be a configuration error).
    if config_text is not None:
        try:
            tomllib.loads(config_text)
        except tomllib.TOMLDecodeError as e:
            check(False, f"config.toml in the ConfigMap is not TOML: {e}")
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "config.toml").write_text(config_text)
            base = [args.lastgood, "--config", f"{tmp}/config.toml", "--catalog", f"{tmp}/c.db"]
            subprocess.run(base + ["repo", "add", "probe", tmp], capture_output=True, text=True)
            r = subprocess.run(base + ["report", "--json"], capture_output=True, text=True)
            check(r.returncode in (0, 3),
                  f"lastgood rejects the ConfigMap's config.toml (exit {r.returncode}): {r.stderr}")
    return



def check_worker(docs, built_tags, args):
    """The fleet: a Deployment of `lastgood run --loop` replicas that reads the
    catalog location from a Secret (LASTGOOD_CATALOG, the variable the binary
    reads), restores into scratch space of its own per replica, and mounts the
    shared catalog volume it names (ReadWriteMany)."""
    worker = docs.get(("Deployment", "lastgood-worker"))
    if not check(worker is not None, "no Deployment named lastgood-worker"):
        return
    check(int(worker["spec"].get("replicas", 1)) >= 2, "the worker Deployment runs one replica")
    pod = worker["spec"]["template"]["spec"]
    containers = pod.get("containers", [])
    if not check(len(containers) == 1, "worker: one container"):
        return
    container = containers[0]
    check(container.get("image") in built_tags,
          f"the worker runs image {container.get('image')!r}, the Containerfile builds {built_tags}")
    argv = list(container.get("command", [])) + list(container.get("args", []))
    if not check("run" in argv and "--loop" in argv, f"the worker does not run 'lastgood run --loop': {argv}"):
        return
    global_args, run_args = argv[1:argv.index("run")], argv[argv.index("run") + 1:]
    check("--catalog" not in global_args, "the worker names its catalog in args, not from the Secret")
    helps = {
        "global": subprocess.run([args.lastgood, "--help"], capture_output=True, text=True).stdout,
        "run": subprocess.run([args.lastgood, "run", "--help"], capture_output=True, text=True).stdout,
    }
    for where, options in (("global", global_args), ("run", run_args)):
        for option in (o for o in options if o.startswith("--")):
            check(re.search(r"(^|\s)" + re.escape(option) + r"\b", helps[where]),
                  f"worker: 'lastgood {'' if where == 'global' else 'run '}' has no option {option}")
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    mounts = {m["mountPath"]: m for m in container.get("volumeMounts", [])}
    config = option_value(global_args, "--config")
    mount = mounts.get(posixpath.dirname(config or ""))
    check(mount and "configMap" in volumes.get(mount["name"], {}),
          f"worker: --config {config} is not in a mounted ConfigMap")
    env = {e["name"]: e for e in container.get("env", [])}
    ref = (env.get("LASTGOOD_CATALOG", {}).get("valueFrom") or {}).get("secretKeyRef")
    check(ref and ref.get("name") and ref.get("key"),
          "worker: LASTGOOD_CATALOG does not come from a Secret (valueFrom.secretKeyRef)")
    scratch = mounts.get((env.get("TMPDIR") or {}).get("value", ""))
    check(scratch and "emptyDir" in volumes.get(scratch["name"], {}),
          "worker: TMPDIR (test restores) is not scratch space of the replica's own (emptyDir)")
    claims = {name: doc for (kind, name), doc in docs.items() if kind == "PersistentVolumeClaim"}
    shared = [v["persistentVolumeClaim"]["claimName"] for v in volumes.values()
              if "persistentVolumeClaim" in v and not v["persistentVolumeClaim"].get("readOnly")]
    for name in shared:
        check(name in claims and "ReadWriteMany" in claims[name]["spec"].get("accessModes", []),
              f"worker: claim {name} is written by every replica but not shipped ReadWriteMany")
    # The binary reads the catalog location from that variable.
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run([args.lastgood, "catalog", "init"], capture_output=True, text=True,
                           env={"PATH": "/usr/bin:/bin", "LASTGOOD_CATALOG": f"{tmp}/fleet.db"})
        check(r.returncode == 0 and (Path(tmp) / "fleet.db").is_file(),
              f"lastgood does not take its catalog from LASTGOOD_CATALOG: {r.stderr}")


def report():
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("kubernetes manifests OK: the CronJob runs 'lastgood run' with the ConfigMap "
              "at --config and the catalog and scratch space on the claims shipped; the worker "
              "Deployment runs 'lastgood run --loop' replicas with the catalog from a Secret")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
