"""A small valid post bundle written to disk, with one-line changes for the validation tests."""

from __future__ import annotations

from pathlib import Path

BASE: dict[str, str] = {
    "post.toml": """[post]
code = "TST"
name = "Embassy Testville"
country = "Testland"
region = "EUR"
methodology = "standard"
fiscal_year = 2027
""",
    "agencies.csv": "code,name,bureau\n1900.0,State,EUR\n1901.0,ICASS,EUR\n2000.0,Other agency,\n",
    "cost_factors.csv": "grade,amsal,pat\nFS-02,150000.00,30000.00\n",
    "positions.csv": "position_id,category,grade,title\nP1,USDH,FS-02,Management officer\nP2,LE,FSN-9,Driver\n",
    "position_costs.csv": "position_id,funding,soc,amount\nP2,RB,1100,20000.00\n",
    "time_allocation.csv": "position_id,cost_center,percent\nP1,6139,50\nP1,0000,20\nP1,5624,30\nP2,6139,100\n",
    "budget.csv": (
        "cost_center,funding,soc,amount,description\n"
        "5624,RB,2500,10000.00,health unit supplies\n"
        "5880,RB,2500,10000.00,\n"
        "6443,RB,2500,5000.00,\n"
        "6150,RB,2500,1000.00,\n"
        "8790,RB,2500,500.00,bank fees\n"
    ),
    "workload.csv": (
        "cost_center,agency,count,modification\n"
        "5624,1900.0,10,\n5624,1901.0,3,\n5624,2000.0,5,\n"
        "5880,1900.0,10,\n5880,1901.0,3,\n5880,2000.0,5,\n"
        "6150,1900.0,10,\n6150,1901.0,3,\n6150,2000.0,5,0.6\n"
        "6443,1900.0,10,\n6443,1901.0,3,\n6443,2000.0,5,\n"
        "6139,1901.0,100,\n6139,2000.0,250,\n"
    ),
}


def write_bundle(folder: Path, **changes: str | None) -> Path:
    """The base bundle with whole files replaced (name with '.' as '_'), or removed when None."""
    return write_files(folder, BASE, changes)


def write_files(folder: Path, base: dict[str, str], changes: dict[str, str | None]) -> Path:
    """`base` files written to `folder`, with whole files replaced (name with '.' as '_'), or removed when None."""
    folder.mkdir(parents=True, exist_ok=True)
    files = dict(base)
    for key, text in changes.items():
        name = key.replace("_csv", ".csv").replace("_toml", ".toml")
        if text is None:
            files.pop(name)
        else:
            files[name] = text
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def replace_line(name: str, old: str, new: str) -> str:
    text = BASE[name]
    assert old in text, f"{old!r} not in {name}"
    return text.replace(old, new, 1)


def append(name: str, line: str) -> str:
    return BASE[name] + line + "\n"
