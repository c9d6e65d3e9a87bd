"""The page on which a member reports something another wrote (a comment, a prayer
request, a prayer for a leader): it asks why, then records the report. A report is
a considered act, not a click."""
from django.contrib import messages
from django.shortcuts import redirect, render

from library.text.moderation import DETAIL_MAX_LENGTH, Refused, report_detail_error


def report_page(request, *, what: str, reasons, report, back: str, template: str,
                context: dict, refusal: str | None = None):
    """Ask why this member reports `what` ("comment", "request", "prayer"), then record
    it with `report(reason=…, detail=…)` (True: recorded, False: reported already) and
    go `back`. `reasons`: the report's choices. `refusal`: what to tell a member who
    may not report it (their own, or one no longer shown) instead of asking. What
    they typed comes back with the form when it cannot be taken."""
    reason = request.POST.get("reason", "")
    detail = request.POST.get("detail", "")
    error = None
    if request.method == "POST":
        error = (f"Please choose why you are reporting this {what}."
                 if reason not in reasons.values else report_detail_error(reason, detail))
        if not error:
            try:
                if report(reason=reason, detail=detail):
                    messages.success(request, f"Thank you. Our team will look at this {what}.")
                else:
                    messages.info(request, f"You have already reported this {what}.")
            except Refused as refused:
                messages.error(request, refused.message)
            return redirect(back)
    elif refusal:
        messages.info(request, refusal)
        return redirect(back)
    return render(request, template, {
        **context, "back": back, "reasons": reasons.choices, "chosen": reason,
        "detail": detail, "detail_max": DETAIL_MAX_LENGTH, "error": error,
    }, status=400 if error else 200)
