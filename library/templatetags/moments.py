"""Times as people read them and as machines do: "June 6, 2022 at 7:42 pm", and
a valid HTML `datetime` value (no fractions of a second), in the site's time zone."""
from django import template
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
