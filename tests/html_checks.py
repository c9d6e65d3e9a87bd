"""Check HTML the way a browser would read it: which elements and attributes exist."""
from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str):
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser.elements


def executable_constructs(html: str, *, allowed_script_prefix="/static/") -> list[str]:
    """Everything in `html` that could run script: script/iframe/object/embed elements,
    event-handler attributes, and javascript:/data:/vbscript: URLs."""
    found = []
    for tag, attrs in elements(html):
        if tag == "script" and not (attrs.get("src") or "").startswith(allowed_script_prefix):
            found.append(f"<script {attrs}>")
        if tag in {"iframe", "object", "embed", "frame", "frameset", "base", "form"} and not (
            tag == "form" and (attrs.get("action") or "").startswith("/")
        ):
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"{tag} {name}=")
            if name in {"href", "src", "action", "formaction", "xlink:href", "data"}:
                scheme = "".join(
                    ch for ch in (value or "") if ch.isprintable() and not ch.isspace()
                )
                if scheme.lower().startswith(("javascript:", "data:", "vbscript:")):
                    found.append(f"{tag} {name}={value!r}")
    return found
