"""Reads about leaders that pages share: the directory, grouped as the list shows
it, and its search by name or state."""
from itertools import groupby

from django.db.models import Q

from states.us_states import US_STATES

from .models import ADMINISTRATION, AREAS, HOUSE, Leader, Office, name_key

MAX_QUERY_LENGTH = 100
# A state or territory by its name or code, as a search finds it.
PLACES = [(code, name_key(name)) for code, name in [*US_STATES, *AREAS.items()]]


def search(query: str):
    """Serving leaders whose name holds `query` (without minding accents or case), or
    who serve the state it names ("texas", "TX", "new")."""
    key = name_key(query).strip()
    codes = [code for code, name in PLACES
             if key == code.casefold() or (len(key) >= 3 and key in name)]
    return Leader.objects.serving().filter(Q(name_key__contains=key) | Q(area__in=codes))


def directory(leaders) -> dict:
    """The list's sections: the Administration, governors, the Senate and the House,
    the last three by state or territory (and the House by district)."""
    leaders = list(leaders.select_related("state"))
    administration = sorted((leader for leader in leaders if leader.office in ADMINISTRATION),
                            key=lambda leader: ADMINISTRATION.index(leader.office))

    def by_place(offices, order):
        chosen = sorted((leader for leader in leaders if leader.office in offices),
                        key=lambda leader: (leader.area_name, *order(leader)))
        return [(place, list(group)) for place, group in
                groupby(chosen, key=lambda leader: leader.area_name)]

    return {
        "administration": administration,
        "governors": by_place({Office.GOVERNOR}, lambda leader: (leader.last_name,)),
        "senate": by_place({Office.SENATOR}, lambda leader: (leader.last_name,)),
        "house": by_place(set(HOUSE), lambda leader: (leader.district or 0, leader.last_name)),
        "count": len(leaders),
    }


def state_leaders(state) -> dict:
    """A state's governor, senators and representatives, for its page."""
    leaders = list(Leader.objects.serving().filter(state=state).select_related("state"))
    return {
        "governors": [leader for leader in leaders if leader.office == Office.GOVERNOR],
        "senators": sorted((leader for leader in leaders if leader.office == Office.SENATOR),
                           key=lambda leader: leader.last_name),
        "house": sorted((leader for leader in leaders if leader.office in HOUSE),
                        key=lambda leader: (leader.district or 0, leader.last_name)),
    }
