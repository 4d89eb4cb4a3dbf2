"""Import a real Redis Software cluster as a scenario (SPEC §12), live over HTTPS or from saved bodies.

    read_folder(DIR) ──┐
                       ├─> Bodies ─> import_bodies(bodies) ─> Imported(text, scenario, notes)
    fetch_bodies(URL) ─┘

Only this package imports httpx; the YAML is written through `sim.scenario.yamlwrite`.
Bad data is an `InputError` (a `DataError` or a `FetchError`) whose one-line message
names the file or URL path, the field and the offending value.
"""
from __future__ import annotations

from sim.importer.bodies import BODIES, Bodies, Body, read_folder
from sim.importer.document import MARKER, Imported, import_bodies
from sim.importer.fetch import FetchError, Fetcher, fetch_bodies
from sim.importer.fields import DataError

__all__ = ["BODIES", "Bodies", "Body", "read_folder", "MARKER", "Imported", "import_bodies", "FetchError",
           "Fetcher", "fetch_bodies", "DataError"]
