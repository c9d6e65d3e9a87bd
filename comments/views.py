from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from library.rules import parse_id
from library.web.reports import report_page

from .forms import LINK_RULE, CommentForm
from .models import Comment, CommentReport
from .services import (
    EDIT_RULE,
    CommentRefused,
    can_edit,
    check_author,
    delete_comment,
    edit_comment,
    post_comment,
    report_comment,
)
from .targets import content_type_for, resolve_target, target_label

HELD = f"{LINK_RULE}; yours is awaiting moderation and only you can see it for now."


def _comment_for(request, pk):
    """A comment the member may act on: its conversation must be visible to them."""
    comment = get_object_or_404(Comment.objects.select_related("author", "parent"), pk=pk)
    target = resolve_target(
        f"{comment.content_type.app_label}.{comment.content_type.model}",
        comment.object_id,
        request.user,
    )
    return comment, target


def _form_page(request, form, *, target, parent=None, status=200, error=None):
    return render(
        request,
        "comments/form_page.html",
        {"form": form, "target": target, "parent": parent, "error": error,
         "target_label": target_label(target)},
        status=status,
    )


@require_POST
def post(request):
    target = resolve_target(request.POST.get("target"), request.POST.get("object_id"), request.user)
    if not request.user.is_authenticated:
        login = reverse("account_login") + "?" + urlencode(
            {"next": target.get_absolute_url() + "#comment-form"}
        )
        return redirect(login)
    parent = None
    if request.POST.get("parent"):
        # Only a published comment of this same conversation can be answered; anything
        # else is a 404 before its text could be shown on the form page.
        parent = get_object_or_404(
            Comment.objects.filter(
                content_type=content_type_for(target),
                object_id=target.pk,
                status=Comment.Status.PUBLISHED,
                is_deleted=False,
            ),
            pk=_int_or_404(request.POST["parent"]),
        )
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, target=target, parent=parent, status=400)
    try:
        comment = post_comment(
            author=request.user, target=target, body=form.cleaned_data["body"], parent=parent
        )
    except CommentRefused as refusal:
        return _form_page(
            request, form, target=target, parent=parent, status=refusal.status,
            error=refusal.message,
        )
    if comment.status == Comment.Status.PENDING:
        messages.info(request, "Thank you. " + HELD)
    else:
        # Said, and a message waiting: the page they return to is the one with it
        # (library.pages.pagecache), never the render it replaces.
        messages.success(request, "Thank you. Your comment is posted.")
    return redirect(comment.get_absolute_url())


def _int_or_404(value):
    number = parse_id(value)
    if number is None:
        raise Http404("No such comment.")
    return number


@login_required
@require_http_methods(["GET"])
def reply(request, pk):
    parent, target = _comment_for(request, pk)
    if not parent.is_public:
        # As for a comment that does not exist: a reply page must not tell a held
        # comment from a missing one.
        raise Http404("No such comment.")
    return _form_page(request, CommentForm(), target=target, parent=parent)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    comment, target = _comment_for(request, pk)
    check_author(comment, request.user)
    if not can_edit(comment, request.user):
        messages.error(request, EDIT_RULE)
        return redirect(comment.get_absolute_url())
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    error, status = None, 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            comment = edit_comment(
                comment=comment, user=request.user, body=form.cleaned_data["body"]
            )
        except CommentRefused as refusal:
            error, status = refusal.message, refusal.status
        else:
            if comment.status == Comment.Status.PENDING:
                messages.info(request, "Your comment has been updated. " + HELD)
            else:
                messages.success(request, "Your comment has been updated.")
            return redirect(comment.get_absolute_url())
    return render(
        request,
        "comments/edit.html",
        {"form": form, "comment": comment, "target": target, "error": error,
         "edit_rule": EDIT_RULE},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, pk):
    comment, target = _comment_for(request, pk)
    check_author(comment, request.user)
    if request.method == "POST":
        delete_comment(comment=comment, user=request.user)
        messages.success(request, "Your comment has been deleted.")
        return redirect(target.get_absolute_url() + "#comments")
    return render(request, "comments/delete.html", {"comment": comment, "target": target})


@login_required
@require_http_methods(["GET", "POST"])
def report(request, pk):
    """Asks why, then records the report: a report is a considered act, not a click."""
    comment, target = _comment_for(request, pk)
    return report_page(
        request, what="comment", reasons=CommentReport.Reason,
        report=lambda **why: report_comment(comment=comment, user=request.user, **why),
        back=target.get_absolute_url() + f"#comment-{comment.pk}",
        template="comments/report.html", context={"comment": comment},
        refusal=("This comment cannot be reported."
                 if not comment.is_public or comment.author_id == request.user.pk else None))
