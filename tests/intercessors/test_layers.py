"""Every package of ours is a layer in `.importlinter`, so a new app cannot slip
past the contracts that `make lint` checks, and the library is the bottom one."""
import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_of_ours_is_a_layer_and_the_library_the_lowest():
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    layers = [name.strip() for line in config["importlinter:contract:layers"]["layers"].split("\n")
              for name in line.replace("|", ":").split(":") if name.strip()]
    packages = {path.name for path in ROOT.iterdir()
                if (path / "__init__.py").exists() and path.name != "tests"}
    assert packages == set(layers)
    assert layers[0] == "intercessors" and layers[-1] == "library"


def test_the_site_package_holds_no_library_module():
    """What every app may use lives in `library/`; `intercessors/` is the site."""
    site = {path.stem for path in (ROOT / "intercessors").glob("*.py")}
    assert site <= {"__init__", "apps", "settings", "urls", "wsgi", "views", "forms", "admin",
                    "models", "context_processors"}, site
