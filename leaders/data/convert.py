"""Make legislators.json and executive.json from the YAML of
unitedstates/congress-legislators (CC0), keeping only what the site shows.

Run by hand with the development tools (PyYAML) when a newer copy is wanted:
    python leaders/data/convert.py path/to/legislators-current.yaml path/to/executive.yaml
The site itself reads only the JSON (`manage.py load_leaders`)."""
import datetime
import json
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
# Members of the House for these places are delegates (Puerto Rico's is its
# Resident Commissioner), with no vote on the floor.
DELEGATE_AREAS = {"AS", "DC", "GU", "MP", "PR", "VI"}
OFFICES = {"sen": "senator", "rep": "representative", "prez": "president",
           "viceprez": "vice_president"}


def entry(person: dict, term: dict) -> dict:
    name = person["name"]
    office = OFFICES[term["type"]]
    if office == "representative" and term.get("state") in DELEGATE_AREAS:
        office = "delegate"
    district = term.get("district")
    found = {
        # Every member of Congress has a bioguide id; a President who never sat in
        # Congress has only the others, of which the site keeps govtrack's.
        "bioguide": person["id"].get("bioguide"),
        "name": name.get("official_full") or f"{name['first']} {name['last']}",
        "first": name.get("nickname") or name["first"],
        "last": name["last"],
        "office": office,
        "state": term.get("state", ""),
        # At-large seats are 0 in the data: the site shows no district for them.
        "district": district or None,
        "party": term.get("party", ""),
        "start": term["start"],
        "end": term["end"],
        "url": term.get("url", ""),
        "phone": term.get("phone", ""),
        "contact_form": term.get("contact_form", ""),
    }
    if not found["bioguide"]:
        del found["bioguide"]
        found["govtrack"] = person["id"]["govtrack"]
    return found


def legislators(path: Path) -> list[dict]:
    return [entry(person, person["terms"][-1]) for person in yaml.safe_load(path.read_text())]


def executive(path: Path, today: datetime.date) -> list[dict]:
    """The holder of the latest term of President and of Vice President, when that
    term has not ended."""
    latest = {}
    for person in yaml.safe_load(path.read_text()):
        for term in person["terms"]:
            held = latest.get(term["type"])
            if held is None or term["start"] > held[1]["start"]:
                latest[term["type"]] = (person, term)
    return [entry(person, term) for kind in ("prez", "viceprez")
            for person, term in [latest[kind]]
            if datetime.date.fromisoformat(term["end"]) > today]


def write(path: Path, entries: list[dict]) -> None:
    lines = ",\n".join(json.dumps(item, ensure_ascii=False, separators=(",", ":"))
                       for item in entries)
    path.write_text(f"[\n{lines}\n]\n", encoding="utf-8")


if __name__ == "__main__":
    current, executive_yaml = (Path(arg) for arg in sys.argv[1:3])
    write(HERE / "legislators.json", legislators(current))
    write(HERE / "executive.json", executive(executive_yaml, datetime.date.today()))
