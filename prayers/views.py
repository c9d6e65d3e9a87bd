from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from .models import State


def state_index(request):
    return render(request, "prayers/state_index.html", {"states": State.objects.all()})


def state_detail(request, slug):
    state = get_object_or_404(
        State.objects.annotate(
            member_count=Count("residents", filter=Q(residents__is_active=True))
        ),
        slug=slug,
    )
    return render(request, "prayers/state_detail.html", {"state": state})
