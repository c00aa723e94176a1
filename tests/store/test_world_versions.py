"""The world computed from the posts' versions (issue 20 §1, icass.store.worlds.versioned_world): `initial` from
each post's newest accepted (else newest) initial version, informational; `final` from accepted final versions,
payable, naming the posts left out; the same world as `icass world` on a folder of the versions' exports."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import update

from icass.model.approval import Basis, Kind
from icass.runs.world import consolidate_world, run_world
from icass.store.changes import find_post
from icass.store.schema import post_versions
from icass.store.versions import create, export_version
from icass.store.worlds import consolidated_stored_world, export_world, import_world
from icass.views.world_invoice import agencies, world_invoice
from tests.store.test_store_world import _errors, _world

CODES = ("KVR", "PSL", "ALD")


def _stored(engine, tmp_path: Path) -> None:
    stored, problems = import_world(engine, _world(tmp_path / "world"))
    assert stored is not None, _errors(problems)


def _versions(engine, kind: Kind, codes=CODES) -> dict[str, int]:
    made = {}
    with engine.begin() as connection:
        for code in codes:
            made[code] = create(connection, find_post(connection, code, 2027), "fmo", kind, "").number
    return made


def _accept(engine, code: str, number: int) -> None:
    with engine.begin() as connection:
        key = find_post(connection, code, 2027)
        connection.execute(
            update(post_versions)
            .where(post_versions.c.post_id == key.id, post_versions.c.number == number)
            .values(state="accepted")
        )


def _invoices(consolidation, world):
    return {a: world_invoice(consolidation, world, a) for a in agencies(consolidation)}


def test_the_world_of_versions_is_the_world_of_their_exports(engine, tmp_path):
    _stored(engine, tmp_path)
    _versions(engine, Kind.INITIAL)
    # The posts change after their versions: the world of versions does not.
    live = consolidated_stored_world(engine, 2027)
    found = consolidated_stored_world(engine, 2027, Basis.INITIAL)
    assert found.consolidation is not None, _errors([*found.run.diagnostics, *found.problems])
    assert found.basis.basis == Basis.INITIAL
    assert not found.basis.payable
    assert [(v.post, v.number, v.state) for v in found.basis.versions] == [
        ("ALD", 1, "draft"),
        ("KVR", 1, "draft"),
        ("PSL", 1, "draft"),
    ]
    assert found.basis.left_out == ()
    # icass world on the stored world's folder with each post's bundle replaced by its version's export.
    folder = tmp_path / "exported"
    export_world(engine, 2027, folder)
    for name in ("aldmere", "kivara", "port-solace"):
        shutil.rmtree(folder / "posts" / name)
    for name, code in (("aldmere", "ALD"), ("kivara", "KVR"), ("port-solace", "PSL")):
        _, sha256 = export_version(engine, code, 2027, 1, folder / "posts" / name)
        assert sha256 in {v.sha256 for v in found.basis.versions}
    run = run_world(folder)
    consolidation, more = consolidate_world(run)
    assert consolidation is not None, _errors([*run.diagnostics, *more])
    assert run.files is not None
    assert found.run.files is not None
    assert str(found.run.files.world.stage) == "initial"
    assert _invoices(consolidation, run.files.world) == _invoices(found.consolidation, found.run.files.world)
    assert live.consolidation is not None
    assert consolidation.post_totals == live.consolidation.post_totals  # nothing edited since the versions


def test_the_initial_world_takes_the_accepted_version_else_the_newest(engine, tmp_path):
    _stored(engine, tmp_path)
    _versions(engine, Kind.INITIAL)
    _versions(engine, Kind.INITIAL, ("KVR",))  # KVR's version 2
    _accept(engine, "PSL", 1)
    _versions(engine, Kind.INITIAL, ("PSL",))  # PSL's version 2, newer than the accepted one
    found = consolidated_stored_world(engine, 2027, Basis.INITIAL).basis
    assert [(v.post, v.number, v.state) for v in found.versions] == [
        ("ALD", 1, "draft"),
        ("KVR", 2, "draft"),
        ("PSL", 1, "accepted"),
    ]


def test_the_final_world_is_of_accepted_versions_and_names_the_others(engine, tmp_path):
    _stored(engine, tmp_path)
    made = _versions(engine, Kind.FINAL)
    _accept(engine, "KVR", made["KVR"])
    found = consolidated_stored_world(engine, 2027, Basis.FINAL)
    assert found.consolidation is not None, _errors([*found.run.diagnostics, *found.problems])
    assert found.basis.payable
    assert [(v.post, v.state) for v in found.basis.versions] == [("KVR", "accepted")]
    assert found.basis.left_out == ("ALD", "PSL")
    assert found.run.files is not None
    assert str(found.run.files.world.stage) == "final"
    assert {post for _, post, _ in found.consolidation.post_totals} == {"KVR"}
    # Until the ISC accepts another, the world keeps what it computed.
    assert consolidated_stored_world(engine, 2027, Basis.FINAL) is found
    _accept(engine, "ALD", made["ALD"])
    again = consolidated_stored_world(engine, 2027, Basis.FINAL)
    assert again.basis.left_out == ("PSL",)


def test_a_final_world_without_an_accepted_version_bills_nothing(engine, tmp_path):
    _stored(engine, tmp_path)
    _versions(engine, Kind.FINAL)
    found = consolidated_stored_world(engine, 2027, Basis.FINAL)
    assert found.consolidation is not None, _errors([*found.run.diagnostics, *found.problems])
    assert found.basis.left_out == ("ALD", "KVR", "PSL")
    assert found.invoices == {}
