"""What the leaders tests share: a small copy of the public data, written to a file
and loaded as `manage.py load_leaders` loads it."""
import io
import json

import pytest
from django.core.management import call_command


def entry(bioguide, name, office="senator", state="TX", district=None, **extra):
    first, last = name.split(" ", 1)
    return {"bioguide": bioguide, "name": name, "first": first, "last": last,
            "office": office, "state": state, "district": district, "party": "Independent",
            "start": "2025-01-03", "end": "2031-01-03", "url": "https://example.org",
            "phone": "202-224-0001", "contact_form": "https://example.org/contact", **extra}


# Made-up people in real offices: enough to fill the pages' sections.
CONGRESS = [
    entry("Z000001", "Ada Zephyr"),
    entry("Z000002", "Bram Yarrow"),
    entry("Z000003", "Cora Willow", office="representative", district=7),
    entry("Z000004", "Dov Vetch", office="representative", district=0),
    entry("Z000005", "Edda Umber", state="WA"),
    entry("Z000006", "Fenn Tansy", office="delegate", state="PR"),
]
EXECUTIVE = [
    {**entry(None, "Gale Sorrel", office="president", state=""), "govtrack": 900001},
    entry("Z000008", "Hale Rowan", office="vice_president", state=""),
]
del EXECUTIVE[0]["bioguide"]


@pytest.fixture
def write_file(tmp_path):
    def write(entries, name="leaders.json"):
        path = tmp_path / name
        path.write_text(json.dumps(entries), encoding="utf-8")
        return str(path)
    return write


@pytest.fixture
def load(db):
    def run(*files) -> str:
        out = io.StringIO()
        call_command("load_leaders", *files, stdout=out)
        return out.getvalue()
    return run


@pytest.fixture
def loaded(write_file, load):
    load(write_file(CONGRESS, "congress.json"), write_file(EXECUTIVE, "executive.json"))
