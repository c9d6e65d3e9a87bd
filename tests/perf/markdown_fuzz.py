"""The slowest Markdown a member can post: renders a corpus of costly shapes at the
comment size limit, then lets hypothesis search for slower ones, and prints the
slowest render. The goal is under 100 ms. Run with `make markdown-fuzz`.

First it shows that each budget `tame()` keeps is still needed: with the budget
switched off, the shape it guards against misses the goal (or crashes).

Times are CPU time of this process (what a render burns), each text rendered
three times with its fastest kept, so other work on the machine is not mistaken
for a slow shape."""
import itertools
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()

from hypothesis import HealthCheck, Phase, given, settings, target  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from comments.models import MAX_LENGTH  # noqa: E402
from library.text import markup  # noqa: E402
from library.text.markup import render_markdown  # noqa: E402
from tests.library.text.test_markup_shapes import AMPLIFIED, PATHOLOGICAL  # noqa: E402

GOAL_MS = 100
# Pieces that mean something to Markdown, the sanitiser or the step that links addresses.
TOKENS = [
    "[", "]", "(", ")", "![", "](", "][", "*", "**", "_", "__", "`", "``", "\\", ">", "> ",
    "- ", "* ", "+ ", "1. ", "1) ", "#", "# ", "&", "&#", "&amp;", "<", "<a", "<!--", "-->",
    "<http://", "http://", "https://a.b/", "www.", "@", ".", ":", '"', "'", "=", "~", "|",
    "\n", "\n\n", "  \n", "    ", "\t", " ", "a", "word ", "1", "-", "---", "***",
]


def render_ms(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        render_markdown(text)
        best = min(best, time.process_time() - start)
    return best * 1000


def fill(piece: str) -> str:
    return (piece * (MAX_LENGTH // len(piece) + 1))[:MAX_LENGTH]


# Complete links and images, one after another: ordinary writing, yet Markdown
# 3.11.4 rescanned the paragraph after each (1.5 s for a comment of them).
LINKS = ["[a](b) ", "[](b)", "![a](b) ", "[source](https://example.org/news) ", "[a][b] ",
         "[a](b)[c](d)", "<http://a.b> "]


# Each budget of tame(), the settings that switch it off, and the shape it is for.
NEVER = 10**12
BUDGETS = [
    ("MAX_NESTING", {"MAX_NESTING": NEVER}, "ordered lists on one line"),
    ("MIN_LINES", {"MIN_LINES": NEVER}, "a dash on every line"),
    ("INLINE_BUDGET", {"INLINE_BUDGET": NEVER}, "open brackets"),
    ("REFERENCE_BUDGET", {"REFERENCE_BUDGET": NEVER}, "a long reference"),
]


def timed(text: str) -> float:
    """Milliseconds, or infinity for a render that crashes."""
    try:
        return render_ms(text)
    except RecursionError:
        return float("inf")


def budgets_needed() -> bool:
    """Whether every budget still earns its place: its shape within the goal with
    it, and past the goal without it."""
    shapes = {**PATHOLOGICAL, **AMPLIFIED}
    print("Each budget of tame(), and its shape with and without it:")
    needed = True
    for name, off, shape in BUDGETS:
        with_it = timed(shapes[shape])
        kept = {key: getattr(markup, key) for key in off}
        for key, value in off.items():
            setattr(markup, key, value)
        try:
            without = timed(shapes[shape])
        finally:
            for key, value in kept.items():
                setattr(markup, key, value)
        holds = with_it < GOAL_MS <= without
        needed &= holds
        print(f"  {name:17} {shape!r}: {with_it:.1f} ms with it, "
              f"{'a crash' if without == float('inf') else f'{without:.1f} ms'} without"
              f"{'' if holds else '  <- not needed, or not enough'}")
    return needed


def corpus():
    yield from PATHOLOGICAL.items()
    yield from AMPLIFIED.items()
    for piece in LINKS:
        yield f"links: ({piece!r})*", fill(piece)
    for a, b in itertools.product(TOKENS, repeat=2):
        yield f"({a!r}{b!r})*", fill(a + b)
    for depth in (10, 30, 50):
        nest = "".join("    " * i + "- a\n" for i in range(depth))
        yield f"lists indented {depth} deep, then markers", fill(nest + "> 1. - " * 8 + "[\n")
    yield "one long line", fill("pray for them all ")
    yield "one long word", "a" * MAX_LENGTH


def main() -> int:
    needed = budgets_needed()
    timings = [(render_ms(text), name) for name, text in corpus()]

    found = []
    segments = st.lists(
        st.tuples(st.sampled_from(TOKENS) | st.text(min_size=1, max_size=3),
                  st.integers(1, MAX_LENGTH)),
        min_size=1, max_size=6,
    )

    @settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "400")), deadline=None,
              database=None, phases=[Phase.generate, Phase.target],
              suppress_health_check=list(HealthCheck))
    @given(segments)
    def search(parts):
        text = "".join(piece * count for piece, count in parts)[:MAX_LENGTH]
        ms = render_ms(text)
        target(ms)
        found.append((ms, "hypothesis: " + " + ".join(f"{p!r}*{c}" for p, c in parts)))

    search()
    timings += found
    timings.sort(reverse=True)
    print(f"{len(timings):,} texts of up to {MAX_LENGTH:,} characters rendered "
          f"({len(timings) - len(found):,} from the corpus, {len(found):,} from hypothesis).")
    print("Slowest ten:")
    for ms, name in timings[:10]:
        print(f"  {ms:7.1f} ms  {name[:110]}")
    slowest = timings[0][0]
    verdict = "met" if slowest < GOAL_MS else "NOT met"
    print(f"Slowest render: {slowest:.1f} ms (goal under {GOAL_MS} ms: {verdict}).")
    return 0 if slowest < GOAL_MS and needed else 1


if __name__ == "__main__":
    sys.exit(main())
