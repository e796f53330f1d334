"""The kernel end of the Assets panel, through a fake comm and a real IPython shell.

The fake comm records what the kernel sends and lets a test deliver the panel's
messages; everything else is real: magics, the registry, runs, staleness.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from nbassets.notebook import panel_comm
from nbassets.notebook.panel_comm import PanelChannel
from nbassets.notebook.panel_protocol import VERSION, ProtocolError, parse_request
from nbassets.widgets.statuses import STATUS_STYLES
from tests.notebook.conftest import Shell


class FakeComm:
    """What the panel's end of a comm would see, and a way to speak for the panel."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.closed = False
        self._on_msg: Callable[[dict[str, Any]], None] | None = None
        self._on_close: Callable[[Any], None] | None = None

    def send(self, data: dict[str, Any]) -> None:
        json.dumps(data)  # what a real comm does to it: it must be JSON
        self.sent.append(data)

    def on_msg(self, callback: Callable[[dict[str, Any]], None]) -> None:
        self._on_msg = callback

    def on_close(self, callback: Callable[[Any], None]) -> None:
        self._on_close = callback

    def close(self) -> None:
        self.closed = True
        if self._on_close is not None:
            self._on_close({})

    def request(self, name: str, **data: Any) -> dict[str, Any]:
        """Deliver a panel request; return the kernel's reply to it."""
        assert self._on_msg is not None
        message = {"protocol": VERSION, "id": len(self.sent), "request": name, **data}
        self._on_msg({"content": {"data": message}})
        replies = [m for m in self.sent if m["type"] == "reply" and m["id"] == message["id"]]
        assert len(replies) == 1, self.sent
        return replies[0]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if m["type"] == kind]


class Panel:
    """The rows a panel would hold after applying the snapshot and patches in order."""

    def __init__(self, comm: FakeComm) -> None:
        self.comm = comm

    def rows(self) -> dict[str, dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        for message in self.comm.sent:
            if message["type"] == "snapshot":
                rows = {r["key"]: r for r in message["assets"]}
            elif message["type"] == "patch":
                rows.update((r["key"], r) for r in message["assets"])
                for key in message.get("removed", []):
                    rows.pop(key, None)
        return rows

    def status(self, key: str) -> str:
        return str(self.rows()[key]["status"])


@pytest.fixture
def connect(shell: Shell) -> Iterator[Callable[[], tuple[FakeComm, PanelChannel]]]:
    made: list[PanelChannel] = []

    def _connect() -> tuple[FakeComm, PanelChannel]:
        comm = FakeComm()
        channel = PanelChannel(comm, shell.registry, shell.ns)
        made.append(channel)
        return comm, channel

    yield _connect
    for channel in made:
        channel.close()


QUICKSTART = [
    ("c-raw", "%%asset --group sales\nraw = [3, 1, 2]"),
    ("c-sorted", "%%asset --group sales\nsorted_raw = sorted(raw)"),
    ("c-total", "%%asset\ntotal = sum(sorted_raw)"),
]


def define(shell: Shell, cells: list[tuple[str, str]] = QUICKSTART) -> None:
    for cell_id, source in cells:
        shell.ok(source, cell_id=cell_id)


# raw --> sorted_raw --> total
def test_snapshot_on_open_lists_every_asset_with_status_colour_and_cell(
    shell: Shell, connect: Any
) -> None:
    define(shell)
    comm, _ = connect()
    (snapshot,) = comm.sent
    assert snapshot["protocol"] == VERSION and snapshot["type"] == "snapshot"
    rows = snapshot["assets"]
    assert [r["key"] for r in rows] == ["raw", "sorted_raw", "total"]
    assert {r["status"] for r in rows} == {"materialized"}
    assert rows[0]["colour"] == STATUS_STYLES["materialized"].stroke
    assert [r["cell_id"] for r in rows] == ["c-raw", "c-sorted", "c-total"]
    assert rows[0]["group"] == "sales" and rows[2]["group"] == "default"
    assert rows[1]["upstream"] == ["raw"]
    assert rows[0]["last_run"] is not None and rows[0]["duration"] >= 0


def test_an_asset_defined_without_a_cell_id_says_so(shell: Shell, connect: Any) -> None:
    shell.ok("%%asset\nloose = 1")  # a frontend that sends no cell id
    comm, _ = connect()
    (row,) = comm.sent[0]["assets"]
    assert row["cell_id"] is None and row["defined_in"] == "cell"


def test_editing_an_upstream_patches_downstream_rows_stale_with_reasons(
    shell: Shell, connect: Any
) -> None:
    define(shell)
    comm, channel = connect()
    panel = Panel(comm)
    shell.ok("%%asset --group sales\nraw = [3, 1, 2, 10]", cell_id="c-raw")
    channel.flush()  # what the post_execute hook does after each cell
    assert panel.status("raw") == "materialized"
    assert panel.status("sorted_raw") == "stale"
    assert panel.status("total") == "stale"
    assert any("raw" in reason for reason in panel.rows()["sorted_raw"]["why"])
    # Patches carry only rows that changed: never the whole registry again.
    patches = comm.of_type("patch")
    assert patches and all(len(p["assets"]) <= 3 for p in patches)


def test_failure_marks_failed_and_downstream_skipped_with_why(shell: Shell, connect: Any) -> None:
    define(shell)
    _, channel = connect()
    comm = channel.comm
    shell.ns["boom"] = True
    shell.error(
        "%%asset --group sales\nif boom:\n    raise ValueError('bad <b>input</b>')\nraw = [1]",
        cell_id="c-raw",
    )
    channel.flush()
    panel = Panel(comm)
    assert panel.status("raw") == "failed"
    assert "bad <b>input</b>" in " ".join(panel.rows()["raw"]["why"])  # data, escaped by the panel


def test_a_long_run_is_debounced_into_a_few_patches(shell: Shell, connect: Any) -> None:
    cells = [("c0", "%%asset --no-run\na0 = 0")] + [
        (f"c{i}", f"%%asset --no-run\na{i} = a{i - 1} + 1") for i in range(1, 300)
    ]
    define(shell, cells)
    comm, channel = connect()
    before = len(comm.sent)
    shell.ok("%materialize --no-raise")
    channel.flush()
    patches = comm.sent[before:]
    # One per FLUSH_INTERVAL_S of run time plus the run's end: far fewer than 300 steps.
    assert 1 <= len(patches) < 40, len(patches)
    panel = Panel(comm)
    assert {r["status"] for r in panel.rows().values()} == {"materialized"}
    assert patches[-1]["run"]["state"] == "succeeded" and patches[-1]["run"]["done"] == 300
    # Every patch of the run says how many steps it plans, the first one included.
    assert {patch["run"]["total"] for patch in patches if patch.get("run")} == {300}


def test_definitions_changing_send_the_new_order_and_removed_keys(
    shell: Shell, connect: Any
) -> None:
    define(shell)
    comm, channel = connect()
    shell.ok("%%asset\ngrand_total = total * 2", cell_id="c-grand")
    # The same cell now defines another asset: `total` goes.
    shell.ok("%%asset\nrenamed_total = sum(sorted_raw)", cell_id="c-total")
    channel.flush()
    last_order = [p for p in comm.of_type("patch") if "order" in p][-1]
    assert "total" not in last_order["order"] and "renamed_total" in last_order["order"]
    assert "total" not in Panel(comm).rows()
    assert any("total" in p.get("removed", []) for p in comm.of_type("patch"))


def test_materialize_request_runs_keys_with_downstream_and_missing_upstreams(
    shell: Shell, connect: Any
) -> None:
    shell.ok("%assets config autorun=off")
    define(shell)
    comm, _ = connect()
    panel = Panel(comm)
    assert panel.status("total") == "missing"
    answer = comm.request("materialize", keys=["sorted_raw"], mode="downstream")
    assert answer["ok"], answer
    # raw was missing, so it ran first; total is downstream.
    assert {panel.status(k) for k in ("raw", "sorted_raw", "total")} == {"materialized"}
    assert shell.ns["total"] == 6  # values are bound in the notebook, as a cell run binds them


def test_materialize_stale_runs_only_what_is_out_of_date(shell: Shell, connect: Any) -> None:
    define(shell)
    comm, _ = connect()
    assert "up to date" in comm.request("materialize_stale")["message"]
    shell.ok("%%asset --group sales\nraw = [5]", cell_id="c-raw")
    answer = comm.request("materialize_stale")
    assert answer["ok"] and answer["message"].startswith("2 step(s)")
    assert Panel(comm).status("total") == "materialized"


def test_a_failing_run_from_the_panel_replies_not_ok_and_rows_say_failed(
    shell: Shell, connect: Any
) -> None:
    shell.ok("%assets config autorun=off")
    define(shell, [("c1", "%%asset\nbad = 1 / 0"), ("c2", "%%asset\nafter = bad + 1")])
    comm, _ = connect()
    answer = comm.request("materialize", keys=["bad"], mode="downstream")
    assert not answer["ok"] and "1 failed" in answer["message"]
    panel = Panel(comm)
    assert panel.status("bad") == "failed" and panel.status("after") == "skipped"
    assert "ZeroDivisionError" in " ".join(panel.rows()["bad"]["why"])


def test_select_resolves_selection_syntax_or_says_what_is_wrong(shell: Shell, connect: Any) -> None:
    define(shell)
    comm, _ = connect()
    assert comm.request("select", selection="group:sales")["keys"] == ["raw", "sorted_raw"]
    assert comm.request("select", selection="raw+")["keys"] == ["raw", "sorted_raw"]
    wrong = comm.request("select", selection="rwa+")
    assert not wrong["ok"] and "raw" in wrong["message"]  # did you mean


def test_accept_marks_stale_assets_fresh(shell: Shell, connect: Any) -> None:
    define(shell)
    shell.ok("%%asset --group sales\nraw = [3, 1, 2, 0]", cell_id="c-raw")
    comm, _ = connect()
    assert Panel(comm).status("sorted_raw") == "stale"
    assert comm.request("accept", keys=["sorted_raw"])["ok"]
    assert Panel(comm).status("sorted_raw") == "materialized"


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz `dot` is not installed")
def test_lineage_reply_is_the_lineage_widget_layout_of_the_selection(
    shell: Shell, connect: Any
) -> None:
    define(shell)
    comm, _ = connect()
    answer = comm.request("lineage", selection="sorted_raw+")
    assert answer["ok"], answer
    assert [n["key"] for n in answer["layout"]["nodes"]] == ["sorted_raw", "total"]
    assert set(answer["statuses"].values()) == {"materialized"}
    assert [s["name"] for s in answer["styles"]][:3] == ["missing", "materialized", "stale"]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("not a dict", "JSON object"),
        ({"protocol": 99, "request": "refresh"}, "protocol 99"),
        ({"protocol": VERSION, "request": "explode"}, "Unknown request 'explode'"),
        ({"protocol": VERSION, "request": "materialize"}, "needs 'keys'"),
        ({"protocol": VERSION, "request": "materialize", "keys": [1]}, "list of asset keys"),
        ({"protocol": VERSION, "request": "materialize", "keys": ["a"], "mode": "up"}, "mode"),
        ({"protocol": VERSION, "request": "select"}, "needs a 'selection'"),
        ({"protocol": VERSION, "request": "refresh", "id": "x"}, "'id'"),
    ],
)
def test_malformed_requests_get_an_error_reply_naming_the_problem(
    shell: Shell, connect: Any, message: Any, expected: str
) -> None:
    with pytest.raises(ProtocolError, match=expected.replace("(", r"\(")):
        parse_request(message)
    comm, _ = connect()
    comm._on_msg({"content": {"data": message}})  # type: ignore[misc]
    (answer,) = comm.of_type("reply")
    assert not answer["ok"] and expected in answer["message"]


def test_unknown_key_in_a_request_is_a_reply_not_an_exception(shell: Shell, connect: Any) -> None:
    define(shell)
    comm, _ = connect()
    answer = comm.request("materialize", keys=["nope"])
    assert not answer["ok"] and "nope" in answer["message"]


def test_closing_the_comm_stops_patches(shell: Shell, connect: Any) -> None:
    comm, channel = connect()
    assert channel in panel_comm.channels()
    comm.close()
    assert channel not in panel_comm.channels()
    shell.ok("%%asset\nlate = 1", cell_id="c-late")
    channel.flush()
    assert comm.of_type("patch") == []


def test_open_with_another_protocol_version_is_refused_with_advice(shell: Shell) -> None:
    comm = FakeComm()
    panel_comm._open(comm, {"content": {"data": {"protocol": 0}}}, shell.ip)
    (answer,) = comm.sent
    assert not answer["ok"] and "Install the same nbassets" in answer["message"]
    assert comm.closed and panel_comm.channels() == []
