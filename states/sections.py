"""What apps above this one add to a state page. Each registers a section from
its AppConfig.ready(): a template, and a function giving that template's data
for one state and one request."""
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    template: str
    data: Callable  # (request, state) -> dict, available to the template as `data`


_sections: list[Section] = []


def register(*, template: str, data: Callable) -> None:
    _sections.append(Section(template, data))


def for_state(request, state) -> list[tuple[str, dict]]:
    return [(section.template, section.data(request, state)) for section in _sections]
