"""`manage.py load_leaders`: created and updated by bioguide id, again with no change,
leaders who left kept, and a file of the wrong shape refused whole."""
import pytest
from django.conf import settings
from django.core.management.base import CommandError

from leaders.models import Leader
from prayers.models import Prayer
from prayers.services import mark_prayed
from tests.factories import make_member

from .conftest import CONGRESS, EXECUTIVE, entry


def snapshot():
    return list(Leader.objects.order_by("id").values())


def test_loading_twice_changes_nothing_the_second_time(write_file, load):
    files = write_file(CONGRESS, "congress.json"), write_file(EXECUTIVE, "executive.json")
    assert "8 created, 0 updated, 0 unchanged, 0 marked" in load(*files)
    before = snapshot()
    assert "0 created, 0 updated, 8 unchanged, 0 marked" in load(*files)
    assert snapshot() == before
    zephyr = Leader.objects.get(bioguide="Z000001")
    assert zephyr.slug == "ada-zephyr" and zephyr.prayer.kind == Prayer.Kind.LEADER
    assert zephyr.prayer.state.code == "TX" and zephyr.title == "Senator for Texas"
    assert Leader.objects.get(govtrack=900001).title == "President"
    assert Leader.objects.get(bioguide="Z000003").title == \
        "Representative for Texas’s 7th district"


def test_an_address_a_page_may_not_link_to_is_left_out(write_file, load):
    load(write_file([{**CONGRESS[0], "url": "javascript:alert(1)",
                      "contact_form": "hhttps://typo.example"}]))
    leader = Leader.objects.get()
    assert leader.website == "" and leader.contact_form == ""


def test_a_newer_copy_adds_one_marks_one_gone_and_updates_what_changed(write_file, load,
                                                                      loaded):
    gone = Leader.objects.get(bioguide="Z000002")
    mark_prayed(user=make_member(), prayer=gone.prayer)
    newer = [item for item in CONGRESS if item["bioguide"] != "Z000002"]
    newer[0] = {**newer[0], "phone": "202-224-9999"}
    newer.append(entry("Z000009", "Ivo Quince"))
    out = load(write_file(newer, "newer.json"))
    assert "1 created, 1 updated, 4 unchanged, 1 marked as having left office" in out
    gone.refresh_from_db()
    assert gone.left_office_at is not None and gone.prayer.prayed_count == 1
    assert Leader.objects.get(bioguide="Z000001").phone == "202-224-9999"
    # The Administration was not in that file: they still serve.
    assert Leader.objects.serving().filter(office="president").count() == 1
    # Back in the data, back in office.
    load(write_file([*newer, entry("Z000002", "Bram Yarrow")], "again.json"))
    gone.refresh_from_db()
    assert gone.left_office_at is None


@pytest.mark.parametrize(("bad", "message"), [
    ("not a leader", "entry 3: is not an object"),
    ({**CONGRESS[0], "bioguide": "Z000010", "office": "king"}, "its office 'king'"),
    ({**CONGRESS[0], "bioguide": "Z000010", "state": "ZZ"}, "its state 'ZZ'"),
    ({**CONGRESS[0], "bioguide": "Z000010", "start": "yesterday"}, "its term start"),
    ({**CONGRESS[0], "bioguide": None}, "neither a bioguide id nor a govtrack id"),
    ({**CONGRESS[0], "bioguide": "Z000010", "name": "x" * 500}, "its name must be text"),
    (CONGRESS[1], "the same person as"),
])
def test_a_file_of_the_wrong_shape_changes_nothing(write_file, load, loaded, bad, message):
    before = snapshot()
    changed = [{**CONGRESS[0], "phone": "202-224-5555"}, CONGRESS[1], bad]
    with pytest.raises(CommandError) as refused:
        load(write_file(changed, "bad.json"))
    assert "Nothing was changed" in str(refused.value) and message in str(refused.value)
    assert "bad.json, entry 3" in str(refused.value)
    assert snapshot() == before


@pytest.mark.parametrize("text", ["{not json", '{"a": 1}'])
def test_a_file_that_is_not_a_list_is_refused(tmp_path, load, text):
    path = tmp_path / "odd.json"
    path.write_text(text)
    with pytest.raises(CommandError, match="Nothing was changed"):
        load(str(path))
    assert not Leader.objects.exists()


def test_the_bundled_data_gives_congress_and_the_administration(load):
    data = settings.BASE_DIR / "leaders" / "data"
    load(str(data / "legislators.json"), str(data / "executive.json"))
    assert Leader.objects.serving().count() == 539
    assert Leader.objects.filter(office__in=["president", "vice_president"]).count() == 2
    texas = Leader.objects.filter(area="TX")
    assert texas.filter(office="senator").count() == 2
    assert texas.filter(office="representative").count() == 37  # one seat was empty
    assert Leader.objects.values("slug").distinct().count() == 539
