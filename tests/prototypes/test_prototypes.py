"""Prototypes: versioning, hotspots and their bad input, uploads, play mode and the API."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import override_settings
from wagtail.images import get_image_model

from prototypes import services
from prototypes.models import Hotspot, Screen

from .factories import PrototypeFactory, ScreenFactory, VersionFactory, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(tree):
    prototype = PrototypeFactory(slug="maternitate")
    prototype.offices.set([tree["rezina"]])
    prototype.save()
    return VersionFactory(prototype=prototype, number=1, published=True)


@pytest.fixture
def screens(version):
    return [ScreenFactory(version=version, title=title, sort_order=n) for n, title in enumerate(["Start", "Form", "Status"])]


def hotspot(screen, **fields):
    values = {"x": 0.1, "y": 0.8, "w": 0.8, "h": 0.1, **fields}
    return services.hotspot_save(Hotspot(screen=screen, **values))


def test_a_new_version_copies_screens_and_hotspots_pointing_inside_itself(version, screens):
    start, form, status = screens
    hotspot(start, target_screen=form, label="Începe")
    hotspot(form, target_screen=status)
    hotspot(form, y=0.0, h=0.05, back=True)
    hotspot(status, target_url="https://cnas.gov.md/")
    v2 = services.version_create(prototype=version.prototype)
    assert v2.number == 2 and not v2.published
    copies = list(v2.screens.order_by("sort_order"))
    assert [s.title for s in copies] == ["Start", "Form", "Status"]
    assert [s.image_id for s in copies] == [s.image_id for s in screens]
    copied = Hotspot.objects.filter(screen__version=v2)
    assert copied.count() == 4
    for h in copied.exclude(target_screen=None):
        assert h.target_screen.version_id == v2.pk
    assert copied.get(screen=copies[0]).target_screen == copies[1]
    assert copied.get(screen=copies[0]).label == "Începe"
    # The old version is untouched.
    assert Hotspot.objects.filter(screen__version=version).count() == 4
    assert services.version_create(prototype=version.prototype).number == 3


def test_the_first_version_of_a_new_prototype_starts_empty(tree):
    prototype = PrototypeFactory()
    v1 = services.version_create(prototype=prototype)
    assert v1.number == 1 and not v1.screens.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"x": -0.1}, {"y": 1.2}, {"w": 0}, {"h": -0.2}, {"x": 0.5, "w": 0.6}, {"y": 0.95, "h": 0.1},
        {"w": float("nan")},
    ],
)
def test_a_hotspot_outside_the_screen_or_without_area_is_refused(screens, fields):
    with pytest.raises(ValidationError):
        hotspot(screens[0], target_screen=screens[1], **fields)
    assert not Hotspot.objects.exists()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "ftp://x.example/", "mailto:a@b.md", "//evil.example", "http://"])
def test_only_http_links(screens, url):
    with pytest.raises(ValidationError):
        hotspot(screens[0], target_url=url)
    assert not Hotspot.objects.exists()


def test_a_hotspot_must_lead_to_exactly_one_place(screens):
    with pytest.raises(ValidationError):
        hotspot(screens[0])
    with pytest.raises(ValidationError):
        hotspot(screens[0], target_screen=screens[1], back=True)
    with pytest.raises(ValidationError):
        hotspot(screens[0], target_screen=screens[1], target_url="https://x.md/")


def test_a_hotspot_cannot_lead_to_another_versions_or_prototypes_screen(version, screens):
    other_version = VersionFactory(prototype=version.prototype, number=9)
    elsewhere = ScreenFactory(version=other_version)
    with pytest.raises(ValidationError):
        hotspot(screens[0], target_screen=elsewhere)
    other_prototype_screen = ScreenFactory()
    with pytest.raises(ValidationError):
        hotspot(screens[0], target_screen=other_prototype_screen)
    assert not Hotspot.objects.exists()


def test_the_database_itself_refuses_bad_geometry_and_double_targets(screens):
    with pytest.raises(IntegrityError), transaction.atomic():
        Hotspot.objects.create(screen=screens[0], x=0.9, y=0, w=0.5, h=0.1, back=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Hotspot.objects.create(screen=screens[0], x=0, y=0, w=0.5, h=0.1, back=True, target_url="https://x.md/")


# --- uploads ---------------------------------------------------------------------------------

def upload(name, data, content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_several_pictures_become_screens_in_order(version, facilitator):
    files = [upload("1-start.png", png_bytes()), upload("2-form.png", png_bytes(color="#ffffff"))]
    screens = services.screens_upload(version=version, files=files, user=facilitator)
    assert [s.title for s in screens] == ["1-start", "2-form"]
    assert screens[0].sort_order < screens[1].sort_order
    assert screens[0].image.width == 360


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.png", b"this is not an image at all"),
        ("corrupt.png", png_bytes()[:60]),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(version, facilitator, name, data):
    good = upload("good.png", png_bytes())
    with pytest.raises(ValidationError) as refused:
        services.screens_upload(version=version, files=[good, upload(name, data)], user=facilitator)
    assert name in str(refused.value)
    assert not Screen.objects.exists()
    assert not get_image_model().objects.exists()


@override_settings(WAGTAILIMAGES_MAX_IMAGE_PIXELS=1000)
def test_a_decompression_bomb_is_refused(version, facilitator):
    with pytest.raises(ValidationError):
        services.screens_upload(version=version, files=[upload("big.png", png_bytes(400, 400))], user=facilitator)
    assert not Screen.objects.exists()


@override_settings(WAGTAILIMAGES_MAX_UPLOAD_SIZE=500)
def test_a_file_over_the_size_limit_is_refused(version, facilitator):
    with pytest.raises(ValidationError):
        services.screens_upload(version=version, files=[upload("big.png", png_bytes(800, 800, color="#123456") + b"\0" * 600)], user=facilitator)
    assert not Screen.objects.exists()


# --- play mode and API -----------------------------------------------------------------------

def test_play_mode_shows_hotspots_as_real_links(client, version, screens):
    start, form, status = screens
    hotspot(start, target_screen=form, label="Începe cererea")
    hotspot(form, back=True, y=0, h=0.1)
    hotspot(form, target_url="https://cnas.gov.md/")
    html = client.get("/p/maternitate/").content.decode()
    assert f'href="/p/maternitate/v1/s{form.pk}/?from={start.pk}"' in html
    # Each link is announced with the title of the screen it leads to.
    assert f'aria-label="Începe cererea (duce la: {form.title})"' in html
    # SVG coordinates use a dot in every language.
    assert 'x="36.0"' in html or 'x="36"' in html
    html = client.get(f"/p/maternitate/v1/s{form.pk}/?from={start.pk}").content.decode()
    assert f'href="/p/maternitate/v1/s{start.pk}/"' in html  # back, without JavaScript
    assert f'aria-label="Înapoi (înapoi la: {start.title})"' in html
    assert 'href="https://cnas.gov.md/"' in html and 'rel="noopener noreferrer"' in html


def test_drafts_are_hidden_from_the_public_but_not_from_the_offices_team(client, version, screens, rezina_member, calarasi_member):
    draft = services.version_create(prototype=version.prototype)
    assert client.get("/p/maternitate/v2/").status_code == 404
    assert client.get("/p/maternitate/").context["version"].number == 1
    client.force_login(calarasi_member)
    assert client.get("/p/maternitate/v2/").status_code == 404
    client.force_login(rezina_member)
    assert client.get("/p/maternitate/v2/").status_code == 200
    assert draft.number == 2


def test_unknown_prototype_version_or_screen_is_404(client, version, screens):
    assert client.get("/p/nope/").status_code == 404
    assert client.get("/p/maternitate/v7/").status_code == 404
    assert client.get("/p/maternitate/v1/s999999/").status_code == 404
    other = ScreenFactory()
    assert client.get(f"/p/maternitate/v1/s{other.pk}/").status_code == 404


def test_api_prototype_shape(client, version, screens):
    start, form, status = screens
    hotspot(start, target_screen=form)
    hotspot(form, back=True, y=0, h=0.1)
    hotspot(status, target_url="https://cnas.gov.md/")
    services.version_create(prototype=version.prototype)  # a draft: not public
    body = client.get("/api/prototypes/maternitate").json()
    assert set(body) == {"slug", "title", "service", "offices", "versions"}
    assert body["offices"] == ["rezina"] and body["service"] == version.prototype.service.slug
    assert [v["number"] for v in body["versions"]] == [1]
    first = body["versions"][0]["screens"][0]
    assert set(first) == {"id", "title", "image_url", "width", "height", "hotspots"}
    assert first["image_url"].startswith("/media/") and first["width"] == 360
    spot = first["hotspots"][0]
    assert (spot["x"], spot["w"], spot["target_screen"], spot["target_url"], spot["back"]) == (0.1, 0.8, form.pk, None, False)
    kinds = [h for s in body["versions"][0]["screens"] for h in s["hotspots"]]
    assert {(h["target_screen"] is not None, h["target_url"] is not None, h["back"]) for h in kinds} == {
        (True, False, False), (False, False, True), (False, True, False)
    }
    assert client.get("/api/prototypes/nope").status_code == 404


def test_a_hotspot_may_touch_the_right_and_bottom_edges(screens):
    # 0.063 + 0.937 is a hair above 1 in floating point; the database must agree with clean().
    spot = hotspot(screens[0], x=0.063, w=0.937, y=0.9, h=0.1, back=True)
    assert Hotspot.objects.filter(pk=spot.pk).exists()


def test_the_view_version_rule(version, facilitator, rezina_member, calarasi_member):
    import rules
    from django.contrib.auth.models import AnonymousUser

    assert rules.perm_exists("prototypes.view_version")
    draft = services.version_create(prototype=version.prototype)
    for user, sees_draft in [(AnonymousUser(), False), (calarasi_member, False), (rezina_member, True), (facilitator, True)]:
        assert user.has_perm("prototypes.view_version", version) is True
        assert user.has_perm("prototypes.view_version", draft) is sees_draft
