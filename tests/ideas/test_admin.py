"""Ideas are browsable in the Wagtail admin by facilitators, filtered by workshop, tag, hidden."""

import pytest
from django.urls import reverse

from .factories import IdeaFactory

pytestmark = pytest.mark.django_db


def test_facilitator_filters_ideas_by_hidden_and_tag(client, workshop, facilitator):
    shown = IdeaFactory(workshop=workshop, text="Scaner portabil")
    shown.tags.add("echipa mobilă")
    IdeaFactory(workshop=workshop, text="Idee moderată XYZ", hidden=True)
    client.force_login(facilitator)
    url = reverse("ideas:index")
    html = client.get(url).content.decode()
    assert "Scaner portabil" in html and "Idee moderată XYZ" in html
    html = client.get(url, {"hidden": "false"}).content.decode()
    assert "Scaner portabil" in html and "Idee moderată XYZ" not in html
    tag_id = shown.tags.get().pk
    html = client.get(url, {"tags": tag_id}).content.decode()
    assert "Scaner portabil" in html and "Idee moderată XYZ" not in html
    export = client.get(url, {"export": "csv"})
    assert export.status_code == 200 and "Scaner portabil" in b"".join(export.streaming_content).decode()


def test_office_teams_do_not_see_the_ideas_admin(client, workshop, rezina_member):
    client.force_login(rezina_member)
    assert client.get(reverse("ideas:index")).status_code in (302, 403)
