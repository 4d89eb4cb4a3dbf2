"""`upgrade-sim import`: read a real cluster (live, GET only, or saved bodies) and write its scenario."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sim.outfile import starts_with, write_atomically
from sim.errors import InputError
from sim.importer import MARKER, Bodies, fetch_bodies, import_bodies, read_folder

EXAMPLE = ("examples:\n"
           "  upgrade-sim import --url https://cluster.example.com:9443 --user admin@example.com \\\n"
           "      --ca-cert proxy_cert.pem --out prod.yaml        # the password from UPGRADE_SIM_PASSWORD\n"
           "  upgrade-sim import --from-dir saved/ --out prod.yaml\n\n"
           "--out replaces an existing file only if upgrade-sim import wrote it (or with --force).")
#: The environment variable read when --password is not given (keeps it out of the process list).
PASSWORD_VARIABLE = "UPGRADE_SIM_PASSWORD"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `import`."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--url", metavar="URL", help="the cluster's REST API, e.g. https://cluster:9443")
    source.add_argument("--from-dir", metavar="DIR", help="a folder of saved bodies: cluster.json, "
                        "cluster_policy.json (optional), nodes.json, bdbs.json, modules.json, shards.json")
    parser.add_argument("--user", metavar="U", help="user name (the vendor's: an email) for Basic authentication")
    parser.add_argument("--password", metavar="P", help=f"password (default: ${PASSWORD_VARIABLE})")
    parser.add_argument("--insecure", action="store_true", help="do not verify the TLS certificate")
    parser.add_argument("--ca-cert", metavar="FILE", help="trust this CA (PEM) to verify the TLS certificate")
    parser.add_argument("--out", metavar="FILE", help="write the scenario here, atomically (default: stdout)")
    parser.add_argument("--force", action="store_true", help="replace --out FILE even if upgrade-sim import "
                                                             "did not write it")


def handle(args: argparse.Namespace) -> int:
    """Read the bodies, map them, and write the scenario."""
    imported = import_bodies(_bodies(args))
    if args.out is None:
        sys.stdout.write(imported.text)
        return 0
    write_scenario(Path(args.out), imported.text, force=args.force)
    scenario = imported.scenario
    shards = sum(len(db.shards or ()) for db in scenario.databases)
    print(f"wrote {args.out}: cluster {scenario.cluster.name}, {len(scenario.cluster.nodes)} node(s), "
          f"{len(scenario.cluster.modules)} module(s), {len(scenario.databases)} database(s), {shards} shard(s)"
          + (f"; {len(imported.notes)} note(s) in its header" if imported.notes else ""))
    return 0


def _bodies(args: argparse.Namespace) -> Bodies:
    live_only = [f"--{name.replace('_', '-')}" for name in ("user", "password", "ca_cert")
                 if getattr(args, name) is not None] + (["--insecure"] if args.insecure else [])
    if args.from_dir is not None:
        if live_only:
            raise InputError(f"{live_only[0]} goes with --url, not --from-dir")
        return read_folder(args.from_dir)
    if args.insecure and args.ca_cert:
        raise InputError("--insecure skips the TLS check that --ca-cert is for: give one of them")
    if not args.user:
        raise InputError("--url needs --user (and --password, or the environment variable "
                         f"{PASSWORD_VARIABLE})")
    password = args.password if args.password is not None else os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        raise InputError(f"--url needs --password, or the environment variable {PASSWORD_VARIABLE}")
    return fetch_bodies(args.url, args.user, password, insecure=args.insecure, ca_cert=args.ca_cert)


def write_scenario(path: Path, text: str, force: bool = False) -> None:
    """Write `text` to `path` atomically (a temporary sibling renamed over it).

    An existing file is replaced only if upgrade-sim import wrote it (its first line is
    the import's marker) or with `force`. Raises InputError otherwise, or when the folder
    is missing.
    """
    if path.is_dir():
        raise InputError(f"--out {path}: is a folder; give a file name")
    if not path.parent.is_dir():
        raise InputError(f"--out {path}: the folder {path.parent} does not exist")
    mode = 0o666 & ~_umask()
    if path.exists():
        if not force and not starts_with(path, f"# {MARKER}"):
            raise InputError(f"--out {path}: the file exists and was not written by upgrade-sim import; "
                             "choose another name, or add --force to replace it")
        mode = path.stat().st_mode & 0o777
    write_atomically(path, text, mode)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
