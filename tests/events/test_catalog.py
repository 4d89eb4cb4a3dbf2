"""docs/events.md lists every event type with its payload, and is current."""
from __future__ import annotations

from pathlib import Path

from sim.events import EVENT_TYPES, payload_fields
from sim.events.catalog import events_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def test_docs_table_is_current() -> None:
    """The committed table equals the one generated from the event classes (`make docs`)."""
    assert DOC.read_text() == events_markdown(), "run `make docs` to refresh docs/events.md"


def test_every_event_and_field_is_documented() -> None:
    """Each event type has a row naming each of its payload fields."""
    text = DOC.read_text()
    for name, cls in EVENT_TYPES.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{name}` |"))
        for field in payload_fields(cls):
            assert f"`{field}`:" in row
