"""report.html in a real browser: Debian's `chromium`, headless, driven by Playwright (its own
browser download is not used: `executable_path` names the system's binary). Only `make
test-browser` runs these tests (marker `browser`; `make test` deselects them); without a
chromium or without the `playwright` package they are skipped, saying what to do."""
from __future__ import annotations

import copy
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.kit import scenario_data, upgrade
from tests.plots.helpers import from_data, library

#: Chromium's own flags for a headless run as root that talks to nobody.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
def chromium_path() -> str | None:
    """The chromium binary: `UPGRADE_SIM_CHROMIUM`, else `chromium` (Debian) or `chromium-browser` on PATH."""
    named = os.environ.get("UPGRADE_SIM_CHROMIUM")
    if named:
        return named
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright), or a skip naming what is missing."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("no chromium on PATH: `apt-get install chromium` (as root), or set UPGRADE_SIM_CHROMIUM; "
                    "`make test-browser` installs it when it can")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        pytest.skip("the playwright package is missing: pip install 'upgrade-sim[browser]' (make test-browser does)")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Error as err:
            pytest.skip(f"{executable} does not start headless here: {str(err).splitlines()[0]}")
        yield chromium
        chromium.close()


class Reports:
    """report.html (with its figures) of bundled scenarios, each run once, on first use."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.done: dict[str, Path] = {}

    def __getitem__(self, name: str) -> Path:
        """The report of `scenarios/NAME.yaml`, or of MANY_DATABASES."""
        if name not in self.done:
            folder = self.root / name
            run = from_data(many_databases(), folder, plots=True) if name == MANY_DATABASES else \
                library(name, folder, plots=True)
            self.done[name] = run.folder / "report.html"
        return self.done[name]


#: A report with many rows and long cells: 9 nodes in 3 racks, 6 databases of 3 replicated pairs,
#: each upgraded at t=10, node 4 crashing at t=30.
MANY_DATABASES = "many-databases"


def many_databases() -> dict[str, Any]:
    """The scenario data of MANY_DATABASES."""
    data = scenario_data(nodes=9, db={"replication": True, "rack_aware": True, "shards_count": 3, "shards_placement": "sparse"}, duration=200,
                         timeline=[])
    data["cluster"]["rack_aware"] = True
    for i, node in enumerate(data["cluster"]["nodes"]):
        node["rack_id"] = f"az{i % 3 + 1}"
    for uid in range(2, 7):
        database = copy.deepcopy(data["databases"][0])
        database.update(uid=uid, name=f"database-number-{uid}")
        data["databases"].append(database)
    for uid in range(1, 7):
        step = upgrade(preserve_roles=True)
        step["request"]["path"] = f"/v1/bdbs/{uid}/modules/upgrade"
        data["timeline"].append(step)
    data["timeline"].append({"at": 30, "node_crash": 4})
    return data


@pytest.fixture(scope="session")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Reports:
    """The reports of the bundled scenarios the tests name."""
    return Reports(tmp_path_factory.mktemp("browser"))
