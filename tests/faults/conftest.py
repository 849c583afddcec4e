import pytest

from tests.factories import WorkshopPageFactory
from tests.ideas.factories import IdeaFactory


@pytest.fixture
def voting_room(tree):
    """A live workshop in phase `voting` with three ideas and plenty of dots (code FAULT1)."""
    workshop = WorkshopPageFactory(
        parent=tree["workshop_index"], title="Votul rezistă", join_code="FAULT1", phase="voting",
        dots_per_participant=20,
    )
    ideas = [IdeaFactory(workshop=workshop, text=f"Ideea {n}") for n in range(3)]
    return workshop, ideas
