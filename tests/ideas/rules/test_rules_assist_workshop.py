"""`ideas.assist_workshop`: facilitators and this workshop's helpers, in every stage; nobody else."""

import pytest
import rules

from ideas import services
from tests.factories import UserFactory

from ..conftest import set_phase

pytestmark = pytest.mark.django_db


def test_the_rule_exists():
    assert rules.perm_exists("ideas.assist_workshop")


@pytest.mark.parametrize("phase", ["draft", "ideas", "voting", "results", "closed"])
def test_who_may_assist_in_each_stage(
    workshop, facilitator, rezina_member, calarasi_member, phase
):
    from django.contrib.auth.models import AnonymousUser

    services.helper_grant(user=facilitator, workshop=workshop, helper=rezina_member)
    set_phase(workshop, phase)
    inactive = UserFactory(username="gone")
    services.helper_grant(user=facilitator, workshop=workshop, helper=inactive)
    inactive.is_active = False
    inactive.save()
    assert AnonymousUser().has_perm("ideas.assist_workshop", workshop) is False
    assert facilitator.has_perm("ideas.assist_workshop", workshop) is True
    assert (
        rezina_member.has_perm("ideas.assist_workshop", workshop) is True
    )  # granted helper
    assert (
        calarasi_member.has_perm("ideas.assist_workshop", workshop) is False
    )  # office staff, not granted
    assert inactive.has_perm("ideas.assist_workshop", workshop) is False
    assert rezina_member.has_perm("ideas.run_workshop", workshop) is False
