"""Factories for the shared page tree (wagtail_factories) and staff users."""

import datetime as dt

import factory
import wagtail_factories
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Page, Site

from workshop_site.core.page_tree import wagtail_roots_ensure
from workshop_site.core.roles import facilitators_group_ensure
from workshop_site.home.models import HomePage
from workshop_site.offices.models import OfficeIndexPage, OfficePage, Service
from workshop_site.offices.services import office_team_ensure
from workshop_site.workshops.models import WorkshopIndexPage, WorkshopPage


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.django.Password("pw")


class HomePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = HomePage

    title = "Atelier"
    slug = "home"


class OfficeIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = OfficeIndexPage

    title = "Birouri"
    slug = "birouri"


class OfficePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = OfficePage

    title = factory.Sequence(lambda n: f"BCIS {n}")
    slug = factory.Sequence(lambda n: f"office-{n}")
    district = "Rezina"


class WorkshopIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = WorkshopIndexPage

    title = "Ateliere"
    slug = "ateliere"


class WorkshopPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = WorkshopPage

    title = factory.Sequence(lambda n: f"Atelier {n}")
    slug = factory.Sequence(lambda n: f"atelier-{n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    place = "Rezina"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("slug",)

    name = "Indemnizația de maternitate"
    slug = "indemnizatia-de-maternitate"
    institution = "CNAS"


def build_site_tree():
    """Home → office index (Rezina, Călărași with their teams) and workshop index, as the default site."""
    root = wagtail_roots_ensure()  # transactional tests flush what Wagtail's migrations made
    root.get_children().filter(slug="home").delete()
    home = HomePageFactory(parent=root)
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home, "port": 80}
    )
    office_index = OfficeIndexPageFactory(parent=home)
    rezina = OfficePageFactory(parent=office_index, title="BCIS Rezina", slug="rezina", district="Rezina")
    calarasi = OfficePageFactory(parent=office_index, title="BCIS Călărași", slug="calarasi", district="Călărași")
    for office in (rezina, calarasi):
        office_team_ensure(office=office)
    workshop_index = WorkshopIndexPageFactory(parent=home)
    facilitators = facilitators_group_ensure(root_page=home)
    return {
        "home": home,
        "office_index": office_index,
        "rezina": rezina,
        "calarasi": calarasi,
        "workshop_index": workshop_index,
        "facilitators": facilitators,
    }


SITE_TREE_PAGES = ("home", "office_index", "rezina", "calarasi", "workshop_index")


def site_tree_keys(tree: dict) -> dict:
    """The primary keys of a built tree, to read it again in a later test."""
    keys = {name: obj.pk for name, obj in tree.items()}
    keys["groups"] = [tree["facilitators"].pk, tree["rezina"].team_group_id, tree["calarasi"].team_group_id]
    return keys


def site_tree_load(keys: dict) -> dict | None:
    """The tree `build_site_tree` made, read afresh (each test may change its objects); None when
    a flush has removed it."""
    pages = Page.objects.filter(pk__in=[keys[name] for name in SITE_TREE_PAGES]).specific()
    by_pk = {page.pk: page for page in pages}
    if len(by_pk) != len(SITE_TREE_PAGES):
        return None
    tree = {name: by_pk[keys[name]] for name in SITE_TREE_PAGES}
    tree["facilitators"] = Group.objects.filter(pk=keys["facilitators"]).first()
    return tree if tree["facilitators"] is not None else None


def site_tree_remove(keys: dict) -> None:
    """Take the tree away again (its pages, site and groups), for a test that needs the site as
    Wagtail's migrations leave it, such as one that loads the demo."""
    Page.objects.filter(pk=keys["home"]).delete()  # its descendants and its Site go with it
    Group.objects.filter(pk__in=keys["groups"]).delete()
