from prayers.models import State


def test_fifty_states_and_dc_are_loaded(db):
    assert State.objects.count() == 51
    dc = State.objects.get(code="DC")
    assert dc.slug == "district-of-columbia"
    assert State.objects.get(code="TX").get_absolute_url() == "/states/texas/"
