"""Time zones: the names an event may use, the zone a state's readers live by, and
how two times are compared."""
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError


@cache
def _known() -> frozenset:
    return frozenset(available_timezones())


def validate_zone(name: str) -> None:
    if name not in _known():
        raise ValidationError(
            "“%(name)s” is not a time zone we know. Use a name such as America/New_York "
            "or America/Chicago.", params={"name": name}, code="unknown_zone")


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def same_instant(first: datetime | None, second: datetime | None) -> bool:
    """Whether two aware times are the same moment, whatever their zones. Python's
    `==` holds a time in the hour repeated at the autumn change unequal to every
    time in another zone, so the two are compared in UTC."""
    if first is None or second is None:
        return first is second
    return first.astimezone(UTC) == second.astimezone(UTC)


# The zone most of each state's people live in (a state that spans two uses the
# larger part's).
STATE_ZONES = {
    "AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix",
    "AR": "America/Chicago", "CA": "America/Los_Angeles", "CO": "America/Denver",
    "CT": "America/New_York", "DE": "America/New_York", "DC": "America/New_York",
    "FL": "America/New_York", "GA": "America/New_York", "HI": "Pacific/Honolulu",
    "ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis",
    "IA": "America/Chicago", "KS": "America/Chicago", "KY": "America/New_York",
    "LA": "America/Chicago", "ME": "America/New_York", "MD": "America/New_York",
    "MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago",
    "MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver",
    "NE": "America/Chicago", "NV": "America/Los_Angeles", "NH": "America/New_York",
    "NJ": "America/New_York", "NM": "America/Denver", "NY": "America/New_York",
    "NC": "America/New_York", "ND": "America/Chicago", "OH": "America/New_York",
    "OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York",
    "RI": "America/New_York", "SC": "America/New_York", "SD": "America/Chicago",
    "TN": "America/Chicago", "TX": "America/Chicago", "UT": "America/Denver",
    "VT": "America/New_York", "VA": "America/New_York", "WA": "America/Los_Angeles",
    "WV": "America/New_York", "WI": "America/Chicago", "WY": "America/Denver",
}

ZONE_NAMES = {
    "America/New_York": "Eastern", "America/Detroit": "Eastern",
    "America/Indiana/Indianapolis": "Eastern", "America/Chicago": "Central",
    "America/Denver": "Mountain", "America/Boise": "Mountain", "America/Phoenix": "Arizona",
    "America/Los_Angeles": "Pacific", "America/Anchorage": "Alaska",
    "Pacific/Honolulu": "Hawaii",
}


def zone_label(name: str) -> str:
    """A zone as readers say it: "Eastern time", or its own name."""
    return f"{ZONE_NAMES[name]} time" if name in ZONE_NAMES else name.replace("_", " ")
