import pytest

from tests.factories import WorkshopPageFactory

from .factories import IdeaFactory, ParticipantFactory


@pytest.fixture
def workshop(tree):
    """A live workshop in phase `ideas`, 3 dots each, open tallies, code LIVE23."""
    return WorkshopPageFactory(
        parent=tree["workshop_index"], title="Echipa mobilă", join_code="LIVE23", phase="ideas", dots_per_participant=3
    )


def set_phase(workshop, phase):
    type(workshop).objects.filter(pk=workshop.pk).update(phase=phase)
    workshop.phase = phase
    return workshop


@pytest.fixture
def participant(workshop):
    return ParticipantFactory(workshop=workshop)


@pytest.fixture
def ideas(workshop, participant):
    return [IdeaFactory(workshop=workshop, participant=participant) for _ in range(3)]
