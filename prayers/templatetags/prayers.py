from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def prayed_label(count) -> str:
    """ "Be the first to pray", "1 person has prayed", "1,204 have prayed"."""
    count = int(count or 0)
    if count == 0:
        return "Be the first to pray"
    if count == 1:
        return "1 person has prayed"
    return f"{intcomma(count)} have prayed"


@register.inclusion_tag("prayers/includes/_prayer.html")
def prayer_card(prayer, headline=False, notes=False):
    """A prayer, with its "I Prayed" form filled in for each reader (prayers.parts);
    `notes`: with a note for its requester (a request's own page)."""
    return {"prayer": prayer, "headline": headline, "notes": notes}
