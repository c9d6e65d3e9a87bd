"""Every module of the project package has its layer in `.importlinter`, so a new
module cannot slip past the contracts that `make lint` checks."""
import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_intercessors_module_is_placed_in_a_layer():
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    layers = config["importlinter:contract:layers"]["layers"]
    placed = {name.strip() for line in layers.splitlines() for name in line.split(":")}
    unplaced = {"intercessors.__init__", "intercessors.apps", "intercessors.settings"}
    modules = {
        f"intercessors.{path.stem}" for path in (ROOT / "intercessors").glob("*.py")
    } | {f"intercessors.{path.name}" for path in (ROOT / "intercessors").iterdir()
         if path.is_dir() and (path / "__init__.py").exists()}
    assert modules - unplaced - placed == set()
