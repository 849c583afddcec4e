"""Where staff start: every public page and every 403 page leads to the login (the admin, once
logged in), and the admin's office choosers list each office once, in the reader's language."""

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import Locale
from wagtail.users.models import UserProfile

from prototypes.models import Prototype
from tests.factories import OfficePageFactory, ServiceFactory, WorkshopPageFactory
from workshop_site.workshops.models import WorkshopPage

pytestmark = pytest.mark.django_db


def staff_link(html: str):
    return BeautifulSoup(html, "html.parser").select_one("header.site-header nav li.nav-staff a")


@pytest.mark.parametrize(("language", "prefix", "words"), [
    ("ro", "", "Autentificare"),
    ("ru", "/ru", "Войти"),
    ("en", "/en", "Log in"),
])
def test_every_public_page_has_a_login_link(client, tree, language, prefix, words):
    workshop = WorkshopPageFactory(parent=tree["workshop_index"], slug="lansare", join_code="OPEN42", phase="ideas")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for url in (f"{prefix}/", f"{prefix}/birouri/rezina/", f"{prefix}/ateliere/{workshop.slug}/", "/join/",
                "/w/OPEN42/", "/w/OPEN42/results/", f"{prefix}/nowhere/"):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        link = staff_link(response.content.decode())
        assert link is not None, url
        assert link["href"] == "/admin/login/" and link.get_text(strip=True) == words, url
    # It opens the login form, which lands on the dashboard.
    assert client.get("/admin/login/").status_code == 200


@pytest.mark.parametrize(("language", "words"), [("ro", "Autentificare"), ("ru", "Войти")])
def test_a_403_page_has_the_login_link_that_comes_back(client, tree, language, words):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/plans/overview/")
    assert response.status_code == 403
    html = response.content.decode()
    # Both the header's link and the page's own bring the visitor back after the login.
    link = staff_link(html)
    assert link["href"] == "/admin/login/?next=/plans/overview/" and link.get_text(strip=True) == words
    assert html.count('href="/admin/login/?next=/plans/overview/"') == 2
    # Results still hidden by blind voting are a 403 of their own.
    WorkshopPageFactory(parent=tree["workshop_index"], join_code="BLIND5", blind_voting=True, phase="voting")
    response = client.get("/w/BLIND5/results/")
    assert response.status_code == 403
    assert staff_link(response.content.decode())["href"] == "/admin/login/?next=/w/BLIND5/results/"


def test_logged_in_staff_get_the_admin_instead(client, facilitator, tree):
    client.force_login(facilitator)
    link = staff_link(client.get("/").content.decode())
    assert link["href"] == "/admin/" and link.get_text(strip=True) == "Administrare"
    assert client.get(link["href"]).status_code == 200


@pytest.fixture
def offices_in_two_languages(tree):
    """Three offices, each with its Russian translation: six pages."""
    ru = Locale.objects.get(language_code="ru")
    dubasari = OfficePageFactory(parent=tree["office_index"], title="BCIS Dubăsari", slug="dubasari")
    offices = [tree["rezina"], tree["calarasi"], dubasari]
    russian = {"rezina": "СБИУ Резина", "calarasi": "СБИУ Кэлэрашь", "dubasari": "СБИУ Дубэсарь"}
    for office in offices:
        translation = office.copy_for_translation(ru, copy_parents=True)
        translation.title = russian[office.slug]
        translation.save_revision().publish()
    return offices


def choices(html: str, name: str) -> dict[str, str]:
    select = BeautifulSoup(html, "html.parser").find("select", attrs={"name": name})
    return {o["value"]: o.get_text(strip=True) for o in select.find_all("option") if o["value"]}


@pytest.mark.parametrize(("language", "titles"), [
    ("ro", ["BCIS Călărași", "BCIS Dubăsari", "BCIS Rezina"]),
    ("ru", ["СБИУ Дубэсарь", "СБИУ Кэлэрашь", "СБИУ Резина"]),
])
def test_offices_served_lists_each_office_once_in_the_readers_language(
        client, facilitator, tree, offices_in_two_languages, language, titles):
    profile = UserProfile.get_for_user(facilitator)
    profile.preferred_language = language
    profile.save()
    workshop = WorkshopPageFactory(parent=tree["workshop_index"])
    workshop.offices.set([tree["rezina"]])
    workshop.save_revision().publish()
    client.force_login(facilitator)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[workshop.pk])).content.decode()
    offered = choices(html, "offices")
    # Three offices, not their six pages; each the Romanian page, which the facts hang on.
    assert sorted(offered.values()) == titles
    assert set(offered) == {str(office.pk) for office in offices_in_two_languages}
    selected = BeautifulSoup(html, "html.parser").select('select[name=offices] option[selected]')
    assert [o["value"] for o in selected] == [str(tree["rezina"].pk)]
    # The same on a new workshop's form and a prototype's.
    add = reverse("wagtailadmin_pages:add", args=("workshops", "workshoppage", tree["workshop_index"].pk))
    assert len(choices(client.get(add).content.decode(), "offices")) == 3
    ServiceFactory()
    prototype_add = reverse("wagtailsnippets_prototypes_prototype:add")
    assert sorted(choices(client.get(prototype_add).content.decode(), "offices").values()) == titles


def test_a_russian_page_of_an_office_is_no_valid_choice(facilitator, tree, offices_in_two_languages):
    """Workshops point at an office's Romanian page; its Russian page is refused."""
    workshop = WorkshopPageFactory(parent=tree["workshop_index"])
    form_class = WorkshopPage.get_edit_handler().get_form_class()
    field = form_class(instance=workshop, for_user=facilitator).fields["offices"]
    russian = tree["rezina"].get_translation(Locale.objects.get(language_code="ru"))
    with pytest.raises(ValidationError):
        field.clean([str(russian.pk)])
    assert list(field.clean([str(tree["rezina"].pk)])) == [tree["rezina"]]


@pytest.mark.parametrize(("language", "name"), [("ro", "Indemnizația de maternitate"),
                                                ("ru", "Пособие по материнству")])
def test_the_service_chooser_lists_each_service_once_in_the_readers_language(
        client, facilitator, tree, language, name):
    profile = UserProfile.get_for_user(facilitator)
    profile.preferred_language = language
    profile.save()
    service = ServiceFactory(name="Indemnizația de maternitate")
    russian = service.copy_for_translation(Locale.objects.get(language_code="ru"))
    russian.name = "Пособие по материнству"
    russian.save()
    client.force_login(facilitator)
    for view in ("choose", "choose_results"):
        answer = client.get(reverse(f"wagtailsnippetchoosers_offices_service:{view}"))
        html = answer.json()["html"] if view == "choose" else answer.content.decode()
        rows = BeautifulSoup(html, "html.parser").select("a[data-chooser-modal-choice]")
        # One service, not its two copies: the Romanian one, which prototypes and maps point at.
        assert [(row.get_text(strip=True), row["href"].rstrip("/").rsplit("/", 1)[-1]) for row in rows] == [
            (name, str(service.pk))]


def test_a_prototype_cannot_point_at_a_services_translation(facilitator, tree):
    service = ServiceFactory()
    russian = service.copy_for_translation(Locale.objects.get(language_code="ru"))
    russian.save()
    form_class = Prototype.snippet_viewset.get_edit_handler().get_form_class()
    field = form_class(for_user=facilitator).fields["service"]
    with pytest.raises(ValidationError):
        field.clean(str(russian.pk))
    assert field.clean(str(service.pk)) == service


def test_the_page_tree_names_each_languages_home(client, facilitator, tree, offices_in_two_languages):
    """The root's children are the home in Romanian and its Russian copy, both titled
    "Atelier": the admin's tree says which is which."""
    profile = UserProfile.get_for_user(facilitator)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(facilitator)
    root = tree["home"].get_parent()
    html = client.get(reverse("wagtailadmin_explore", args=[root.pk])).content.decode()
    rows = BeautifulSoup(html, "html.parser").select("td.title .title-wrapper a")
    titles = [a.get_text(" ", strip=True) for a in rows]
    assert titles == ["Atelier (Romanian)", "Atelier (Russian)"]  # in the reader's (English) words
