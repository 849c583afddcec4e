"""A small public site for the page-markup tests: the page tree, a live workshop with ideas and
a joined phone, a prototype whose first screen links to a second, an action plan item with a
history entry, and the home page translated into Russian."""

import pytest
from django.utils import timezone
from wagtail.models import Locale

from plans import services as plan_services
from plans.models import ActionItem, ActionPlan
from prototypes import services as prototype_services
from prototypes.models import Hotspot
from tests.factories import WorkshopPageFactory
from tests.ideas.factories import IdeaFactory, ParticipantFactory
from tests.prototypes.factories import PrototypeFactory, ScreenFactory, VersionFactory
from workshop_site.core.i18n import content_locales_ensure


@pytest.fixture
def workshop(tree):
    """Phase `ideas`, 3 dots each, code LIVE23, with two ideas."""
    workshop = WorkshopPageFactory(
        parent=tree["workshop_index"], title="Echipa mobilă", slug="echipa-mobila", join_code="LIVE23",
        phase="ideas", dots_per_participant=3, introduction="Echipa mobilă livrează serviciul pe loc, în sat.",
    )
    author = ParticipantFactory(workshop=workshop)
    IdeaFactory(workshop=workshop, participant=author, text="Un scaner portabil")
    IdeaFactory(workshop=workshop, participant=author, text="Acces la registre")
    return workshop


@pytest.fixture
def joined(client, workshop):
    """The test client as a phone that joined LIVE23 through its form."""
    response = client.post("/w/LIVE23/", {"display_name": "Maria", "role": "citizen"})
    assert response.status_code == 302
    return client


@pytest.fixture
def prototype(tree):
    prototype = PrototypeFactory(slug="maternitate-online", description="Cererea online a indemnizației.")
    prototype.offices.set([tree["rezina"]])
    version = VersionFactory(prototype=prototype, number=1, published=True)
    start, form = (ScreenFactory(version=version, title=title, sort_order=n) for n, title in enumerate(["Start", "Formular"]))
    prototype_services.hotspot_save(Hotspot(screen=start, target_screen=form, label="Începe", x=0.1, y=0.8, w=0.8, h=0.1))
    return prototype


@pytest.fixture
def item(tree, facilitator):
    """A published plan's item, moved on once: its history entry is stamped with microseconds."""
    plan = ActionPlan.objects.create(office=tree["rezina"], title="Planul Rezina", published=True)
    item = ActionItem.objects.create(plan=plan, title="Scaner portabil", due=timezone.localdate())
    plan_services.item_update(user=facilitator, item_id=item.pk, changes={"progress": 20}, note="Comandat")
    return item


@pytest.fixture
def russian_home(tree):
    """The home page's live Russian translation (/ru/)."""
    content_locales_ensure()
    translation = tree["home"].copy_for_translation(Locale.objects.get(language_code="ru"))
    translation.title = "Ателье"
    translation.save_revision().publish()
    return translation
