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


@register.inclusion_tag("prayers/includes/_prayer.html", takes_context=True)
def prayer_card(context, prayer, prayed_ids=(), headline=False):
    request = context.get("request")
    return {
        "prayer": prayer,
        "prayed": prayer.pk in prayed_ids,
        "headline": headline,
        "request": request,
        "user": context.get("user"),
        "csrf_token": context.get("csrf_token"),
    }
