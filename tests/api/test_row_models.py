"""The API's row models are made from the format (icass.bundle.format): one field a declared column, in its
order, amounts as decimal strings, codes with their shape, each with its label."""

from __future__ import annotations

import pytest

from icass.api.schemas import ROW_MODELS
from icass.bundle.codes import CODE_SHAPE
from icass.bundle.format import FILES, Kind
from icass.store.changes import RESOURCES


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_each_row_model_is_its_files_declared_columns(resource):
    file = FILES[RESOURCES[resource]]
    out, new, changed = (model.model_json_schema() for model in ROW_MODELS[resource])
    # A change to people.csv also says which staffing certifications it cleared (issue 20 §2).
    said = ["notices"] if resource == "people" else []
    assert list(out["properties"]) == ["id", "version", "row", "extra", *file.names, *said]
    assert list(new["properties"]) == list(file.names)
    assert list(changed["properties"]) == ["version", *file.names]
    for column in file.columns:
        shown, given = out["properties"][column.name], new["properties"][column.name]
        assert shown["title"] == given["title"] == column.label
        assert shown["type"] == "string"
        if column.cents:
            assert shown["pattern"] == r"^-?[0-9]+(\.[0-9]+)?$"
        patterns = [choice.get("pattern") for choice in given["anyOf"] if choice.get("type") == "string"]
        if column.kind in (Kind.CODE, Kind.ONE_OF):
            assert patterns == [f"^(?:{CODE_SHAPE})?$"]
        if column.note:
            assert column.note in given["description"]


def test_a_field_says_its_handbook_section():
    budget = ROW_MODELS["budget-lines"][1].model_json_schema()["properties"]
    assert budget["funding"]["description"] == "RB, OBO or LGP (H-420)"
    assert ROW_MODELS["time-allocation"][0].model_json_schema()["properties"]["percent"]["description"] == (
        "6 FAH-5 H-341.14-1"
    )
