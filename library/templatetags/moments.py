"""Times as people read them and as machines do: "June 6, 2022 at 7:42 pm", and
a valid HTML `datetime` value (no fractions of a second), in the site's time zone."""
from django import forms, template
from django.conf import settings
from django.utils import timezone
from django.utils.dates import MONTHS

register = template.Library()


@register.filter
def machine_time(moment) -> str:
    """For <time datetime>: "2022-06-06T19:42:00-04:00"."""
    if not moment:
        return ""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


@register.filter
def reader_time(moment) -> str:
    """ "June 6, 2022 at 7:42 pm": absolute, so a page shared by many readers and
    kept a while never says something that has stopped being true."""
    if not moment:
        return ""
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    return (f"{MONTHS[local.month]} {local.day}, {local.year} at "
            f"{hour}:{local.minute:02d} {'am' if local.hour < 12 else 'pm'}")


# What the site's time zone is called where its people live; others by their name.
ZONE_NAMES = {
    "America/New_York": "Eastern", "America/Chicago": "Central",
    "America/Denver": "Mountain", "America/Phoenix": "Mountain (Arizona)",
    "America/Los_Angeles": "Pacific", "America/Anchorage": "Alaska",
    "Pacific/Honolulu": "Hawaii",
}


@register.simple_tag
def time_zone_note(form) -> str:
    """For a form with dates or times: "Times are Eastern (America/New_York)."; for
    any other, nothing. Admin's own note compares the server's clock with the
    reader's ("5 hours ahead"), which tells no one which time to type."""
    dated = (forms.DateField, forms.TimeField, forms.DateTimeField, forms.SplitDateTimeField)
    if not any(isinstance(field, dated) for field in form.fields.values()):
        return ""
    zone = settings.TIME_ZONE
    name = ZONE_NAMES.get(zone)
    return f"Times are {name} ({zone})." if name else f"Times are {zone}."
