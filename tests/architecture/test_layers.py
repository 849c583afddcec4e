"""The layers of docs/architecture.md hold in the code: each test reads the whole source."""

from pathlib import Path

import pytest

from tests.architecture.layers import (
    APPS,
    import_circles,
    layer_violations,
    read_house,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def house():
    return read_house(ROOT)


def test_the_reading_sees_the_whole_house(house):
    """A guard for the guard: the walk found every layer and the imports between them."""
    importers = {imp.module.split(".")[0] for imp in house.imports}
    assert {"workshop_site", *APPS} <= importers
    assert any(imp.module == "workshop_site.urls" and imp.target.startswith("ideas") for imp in house.imports)
    assert any(imp.local for imp in house.imports), "function-local imports are read too"


def test_every_import_points_down_and_through_a_door(house):
    violations = layer_violations(house)
    assert not violations, "Imports against the layers:\n" + "\n".join(violations)


def test_no_files_import_each_other_in_a_circle(house):
    circles = import_circles(house)
    assert not circles, "Circles of imports:\n" + "\n".join(" → ".join(c) for c in circles)


# The checker itself, on a small house built to break each rule: it must say so.

def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for package in ("workshop_site", *APPS):
        (root / package).mkdir(exist_ok=True)
        (root / package / "__init__.py").touch()
    return root


def test_the_checker_names_each_wrong_import(tmp_path):
    house = read_house(_write(tmp_path, {
        "workshop_site/offices/__init__.py": "",
        "workshop_site/offices/models.py": "def context():\n    from plans.selectors import plan_summary\n",
        "workshop_site/core/__init__.py": "",
        "workshop_site/core/demo.py": "import importlib\nimportlib.import_module('ideas.demo')\n",
        "workshop_site/core/middleware.py": "from workshop_site.users.forms import remember_device\n",
        "workshop_site/urls.py": "from ideas import views\n",
        "ideas/views.py": "from plans.models import ActionPlan\n",
        "feedback/admin_views.py": "from prototypes.api import RENDITION\n",
        "feedback/services.py": "from prototypes import selectors\nfrom workshop_site import urls\n",
        "plans/views.py": "from ideas.selectors import results\n",
    }))
    violations = "\n".join(layer_violations(house))
    assert "the foundation knows an upper layer (plans): workshop_site.offices.models:2" in violations
    assert "inside a function" in violations
    assert "the foundation loads a module by name: workshop_site.core.demo:2" in violations
    assert "workshop_site.core is below workshop_site.users: workshop_site.core.middleware:1" in violations
    assert "ideas is not built on plans: ideas.views:1" in violations
    assert "feedback reaches past the doors of prototypes (services, selectors) into prototypes.api" in violations
    assert "an app knows the composition root: feedback.services:2" in violations
    assert "plans.views" not in violations  # a door of a lower app
    assert "workshop_site.urls:" not in violations  # the composition root knows every app


def test_the_checker_finds_a_circle_through_a_function_local_import(tmp_path):
    house = read_house(_write(tmp_path, {
        "workshop_site/offices/__init__.py": "",
        "workshop_site/offices/models.py": "def f():\n    from workshop_site.workshops.models import WorkshopPage\n",
        "workshop_site/workshops/__init__.py": "",
        "workshop_site/workshops/models.py": "from workshop_site.offices.models import OfficePage\n",
    }))
    assert import_circles(house) == [["workshop_site.offices.models", "workshop_site.workshops.models"]]
