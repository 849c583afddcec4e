"""The prototype admin views: workbench, new version, several screens at once, hotspot editor;
each checks the rule, and bad input changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prototypes.models import Hotspot, PrototypeVersion, Screen

from .factories import PrototypeFactory, ScreenFactory, VersionFactory, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(tree):
    prototype = PrototypeFactory(slug="maternitate")
    prototype.offices.set([tree["rezina"]])
    prototype.save()
    return VersionFactory(prototype=prototype, number=1)


@pytest.fixture
def screens(version):
    return [ScreenFactory(version=version, title=t, sort_order=n) for n, t in enumerate(["Start", "Form"])]


def hotspot_post(screen, rows, existing=0):
    data = {
        "hotspots-TOTAL_FORMS": len(rows), "hotspots-INITIAL_FORMS": existing,
        "hotspots-MIN_NUM_FORMS": 0, "hotspots-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"hotspots-{index}-{key}"] = value
    return data


def test_workbench_and_version_page_for_a_facilitator(client, facilitator, version, screens):
    client.force_login(facilitator)
    html = client.get(reverse("prototypes_admin_workbench")).content.decode()
    assert "Indemnizația online" in html and reverse("prototypes_admin_version", args=[version.pk]) in html
    html = client.get(reverse("prototypes_admin_version", args=[version.pk])).content.decode()
    assert reverse("prototypes_admin_hotspots", args=[screens[0].pk]) in html


def test_new_version_button_copies_the_latest(client, facilitator, version, screens):
    client.force_login(facilitator)
    response = client.post(reverse("prototypes_admin_version_new", args=[version.prototype.pk]))
    v2 = PrototypeVersion.objects.get(prototype=version.prototype, number=2)
    assert response.status_code == 302 and response["Location"] == reverse("prototypes_admin_version", args=[v2.pk])
    assert v2.screens.count() == 2
    assert client.get(reverse("prototypes_admin_version_new", args=[version.prototype.pk])).status_code == 405


def test_upload_several_screens_at_once(client, facilitator, version):
    client.force_login(facilitator)
    files = [SimpleUploadedFile(f"{n}-ecran.png", png_bytes(), content_type="image/png") for n in (2, 1)]
    response = client.post(reverse("prototypes_admin_screens_upload", args=[version.pk]), {"files": files})
    assert response.status_code == 302
    assert list(version.screens.order_by("sort_order").values_list("title", flat=True)) == ["1-ecran", "2-ecran"]


def test_upload_with_a_bad_file_shows_the_error_and_stores_nothing(client, facilitator, version):
    client.force_login(facilitator)
    files = [
        SimpleUploadedFile("bun.png", png_bytes(), content_type="image/png"),
        SimpleUploadedFile("virus.png", b"MZ\x90\x00 not an image", content_type="image/png"),
    ]
    response = client.post(reverse("prototypes_admin_screens_upload", args=[version.pk]), {"files": files})
    assert response.status_code == 400
    assert "virus.png" in response.content.decode()
    assert not version.screens.exists()
    response = client.post(reverse("prototypes_admin_screens_upload", args=[version.pk]), {})
    assert response.status_code == 400


def test_hotspot_editor_saves_valid_rows(client, facilitator, screens):
    start, form = screens
    client.force_login(facilitator)
    url = reverse("prototypes_admin_hotspots", args=[start.pk])
    assert client.get(url).status_code == 200
    data = hotspot_post(start, [
        {"x": "0.1", "y": "0.8", "w": "0.8", "h": "0.1", "target_kind": "screen", "target_screen": form.pk, "label": "Începe"},
        {"x": "0", "y": "0", "w": "0.2", "h": "0.05", "target_kind": "back", "target_screen": form.pk, "target_url": "https://x.md/"},
        {"x": "", "y": "", "w": "", "h": "", "target_kind": ""},  # the blank extra row
    ])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    saved = {h.target_kind: h for h in Hotspot.objects.filter(screen=start)}
    assert set(saved) == {"screen", "back"}
    assert saved["screen"].target_screen == form and saved["screen"].label == "Începe"
    assert saved["back"].target_url == "" and saved["back"].target_screen is None


@pytest.mark.parametrize(
    "row",
    [
        {"x": "0.5", "y": "0.8", "w": "0.8", "h": "0.1", "target_kind": "back"},
        {"x": "0.1", "y": "0.8", "w": "0", "h": "0.1", "target_kind": "back"},
        {"x": "-1", "y": "0.8", "w": "0.2", "h": "0.1", "target_kind": "back"},
        {"x": "abc", "y": "0.8", "w": "0.2", "h": "0.1", "target_kind": "back"},
        {"x": "0.1", "y": "0.8", "w": "0.2", "h": "0.1", "target_kind": "url", "target_url": "javascript:alert(1)"},
        {"x": "0.1", "y": "0.8", "w": "0.2", "h": "0.1", "target_kind": "screen"},
        {"x": "0.1", "y": "0.8", "w": "0.2", "h": "0.1", "target_kind": "teleport"},
    ],
)
def test_hotspot_editor_refuses_bad_rows_and_saves_nothing(client, facilitator, screens, row):
    client.force_login(facilitator)
    url = reverse("prototypes_admin_hotspots", args=[screens[0].pk])
    response = client.post(url, hotspot_post(screens[0], [row]))
    assert response.status_code == 400
    assert not Hotspot.objects.exists()


def test_hotspot_editor_refuses_a_screen_of_another_version(client, facilitator, screens):
    foreign = ScreenFactory()
    client.force_login(facilitator)
    url = reverse("prototypes_admin_hotspots", args=[screens[0].pk])
    row = {"x": "0.1", "y": "0.8", "w": "0.2", "h": "0.1", "target_kind": "screen", "target_screen": foreign.pk}
    assert client.post(url, hotspot_post(screens[0], [row])).status_code == 400
    assert not Hotspot.objects.exists()


def refused(response) -> bool:
    """Wagtail's admin turns PermissionDenied into a redirect to the dashboard with a message."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home"))


def test_office_teams_work_only_on_their_offices_prototypes(client, screens, rezina_member, calarasi_member):
    url = reverse("prototypes_admin_hotspots", args=[screens[0].pk])
    client.force_login(calarasi_member)
    for target in (url, reverse("prototypes_admin_version", args=[screens[0].version_id]),
                   reverse("prototypes_admin_screens_upload", args=[screens[0].version_id])):
        assert refused(client.get(target)), target
    assert refused(client.post(url, hotspot_post(screens[0], [
        {"x": "0.1", "y": "0.8", "w": "0.2", "h": "0.1", "target_kind": "back"}])))
    assert not Hotspot.objects.exists()
    assert refused(client.post(reverse("prototypes_admin_version_new", args=[screens[0].version.prototype_id])))
    assert PrototypeVersion.objects.count() == 1
    client.force_login(rezina_member)
    assert client.get(url).status_code == 200


def test_anonymous_visitors_are_sent_to_the_login(client, screens):
    response = client.get(reverse("prototypes_admin_hotspots", args=[screens[0].pk]))
    assert response.status_code == 302 and "login" in response["Location"]
    assert Screen.objects.count() == 2
