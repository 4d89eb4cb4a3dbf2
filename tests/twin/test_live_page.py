"""`GET /`: the live page for people watching a rehearsal — the report's tables over [0, now],
each action's state and progress, every shard coloured by what it does, a reload every few
seconds — and the OpenAPI page listing every endpoint with its description."""
from __future__ import annotations

from html.parser import HTMLParser

from sim.twin.live import REFRESH_S
from tests.twin.helpers import serve


class _Collect(HTMLParser):
    """The page parsed: headings, table cells, progress bars and the class of every shard square."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.cells: list[str] = []
        self.progress: list[str] = []
        self.squares: list[str] = []
        self.refresh: str | None = None
        self._into: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and a.get("http-equiv") == "refresh":
            self.refresh = a.get("content")
        elif tag == "progress":
            self.progress.append(str(a.get("value")))
        elif tag == "span" and (a.get("title") or "").startswith("shard "):
            self.squares.append(f"{a['title']}={a['class']}")
        self._into = self.headings if tag == "h2" else self.cells if tag == "td" else None

    def handle_data(self, data: str) -> None:
        if self._into is not None and data.strip():
            self._into.append(data.strip())


def _page(text: str) -> _Collect:
    collected = _Collect()
    collected.feed(text)
    return collected


def test_the_live_page_follows_the_upgrade() -> None:
    """At t=20 (upgrade accepted at 10) the action is `prepare`, the replica syncs; at the end the
    action is completed at 100% and both shards serve again."""
    with serve() as s:
        s.advance(to=10)
        s.upgrade()
        s.advance(to=20)
        answer = s.client.get("/")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
        page = _page(answer.text)
        assert page.refresh == str(REFRESH_S)
        assert page.headings[:3] == ["Actions", "Nodes and shards", "Outcome per database so far"]
        assert "prepare" in page.cells and "active" in page.cells and page.progress == ["15"]
        assert page.squares == ["shard 1 (db 1, master)=master", "shard 2 (db 1, slave)=syncing"]
        assert 't = <b>20</b> s (clock manual; running)' in answer.text
        s.advance(until="idle")
        s.client.post("/sim/nodes/3/crash")
        page = _page(s.client.get("/").text)
        assert "completed" in page.cells and page.progress == ["100"]
        # preserve_roles: back on their original roles
        assert page.squares == ["shard 1 (db 1, master)=master", "shard 2 (db 1, slave)=replica"]
        assert "down" in page.cells   # node 3


def test_the_live_page_without_any_action_and_after_the_stop(tmp_path) -> None:
    with serve(out=tmp_path / "s") as s:
        assert "No action yet" in s.client.get("/").text
        # the server exits once it answered the stop: kept up here, to read the page after it
        s.twin.on_stop = lambda: None
        s.client.post("/sim/stop")
        assert f"stopped; outputs in {tmp_path / 's'}" in s.client.get("/").text


def test_the_openapi_page_lists_every_endpoint_with_its_description() -> None:
    with serve() as s:
        schema = s.client.get("/openapi.json").json()
        docs = s.client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    listed = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    expected = {("GET", p) for p in [
        "/v1/cluster", "/v1/cluster/policy", "/v1/nodes", "/v1/nodes/{uid}", "/v1/bdbs", "/v1/bdbs/{uid}", "/v1/bdbs/{uid}/shards",
        "/v1/shards", "/v1/shards/{uid}", "/v1/modules", "/v1/modules/{uid}", "/v1/actions",
        "/v1/actions/{uid}", "/v1/actions/bdb/{uid}", "/v1/bdbs/{uid}/availability", "/v1/users",
        "/v1/users/{uid}", "/sim/clock", "/sim/summary", "/sim/events", "/"]}
    expected |= {("POST", p) for p in ["/v1/bdbs/{uid}/modules/upgrade", "/v1/bdbs/{uid}/upgrade", "/sim/advance",
                                       "/sim/nodes/{uid}/crash", "/sim/nodes/{uid}/recover", "/sim/cluster/recover",
                                       "/sim/stop"]}
    assert listed == expected
    for item in schema["paths"].values():
        for operation in item.values():
            assert operation["summary"] and operation["description"]
    assert schema["paths"]["/v1/bdbs"]["get"]["summary"] == "Get all databases"
