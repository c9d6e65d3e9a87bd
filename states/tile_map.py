"""The tile-grid map of the nation: every state one equal square, placed on a
grid that roughly follows geography. Drawn by the server as inline SVG."""
from dataclasses import dataclass

# (column, row) on an 11 × 8 grid.
GRID = {
    "AK": (0, 0), "ME": (10, 0),
    "WI": (5, 1), "VT": (9, 1), "NH": (10, 1),
    "WA": (0, 2), "ID": (1, 2), "MT": (2, 2), "ND": (3, 2), "MN": (4, 2), "IL": (5, 2),
    "MI": (6, 2), "NY": (8, 2), "MA": (9, 2),
    "OR": (0, 3), "NV": (1, 3), "WY": (2, 3), "SD": (3, 3), "IA": (4, 3), "IN": (5, 3),
    "OH": (6, 3), "PA": (7, 3), "NJ": (8, 3), "CT": (9, 3), "RI": (10, 3),
    "CA": (0, 4), "UT": (1, 4), "CO": (2, 4), "NE": (3, 4), "MO": (4, 4), "KY": (5, 4),
    "WV": (6, 4), "VA": (7, 4), "MD": (8, 4), "DE": (9, 4),
    "AZ": (1, 5), "NM": (2, 5), "KS": (3, 5), "AR": (4, 5), "TN": (5, 5), "NC": (6, 5),
    "SC": (7, 5), "DC": (8, 5),
    "OK": (3, 6), "LA": (4, 6), "MS": (5, 6), "AL": (6, 6), "GA": (7, 6),
    "HI": (0, 7), "TX": (3, 7), "FL": (8, 7),
}
COLUMNS, ROWS = 11, 8
TILE, GAP = 56, 4

# Shading: prayers this week → step. The legend shows these ranges.
STEPS = [(0, "None yet"), (1, "1–9"), (10, "10–49"), (50, "50–249"), (250, "250 or more")]


def step_for(count: int) -> int:
    return max(i for i, (low, _) in enumerate(STEPS) if count >= low)


@dataclass
class Tile:
    state: object
    count: int
    x: int
    y: int

    @property
    def step(self) -> int:
        return step_for(self.count)

    @property
    def label(self) -> str:
        noun = "prayer" if self.count == 1 else "prayers"
        return f"{self.state.name}: {self.count:,} {noun} this week"

    @property
    def text_x(self) -> int:
        return self.x + TILE // 2

    @property
    def text_y(self) -> int:
        return self.y + TILE // 2 + 6


def tiles(states, counts: dict[int, int]) -> list[Tile]:
    result = []
    for state in states:
        col, row = GRID[state.code]
        result.append(
            Tile(
                state=state,
                count=counts.get(state.pk, 0),
                x=col * (TILE + GAP),
                y=row * (TILE + GAP),
            )
        )
    return result


def legend():
    return [{"step": i, "label": label} for i, (_, label) in enumerate(STEPS)]


VIEWBOX = f"0 0 {COLUMNS * (TILE + GAP) - GAP} {ROWS * (TILE + GAP) - GAP}"
