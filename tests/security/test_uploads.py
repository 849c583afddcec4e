"""Uploads through the real admin doors (Wagtail's image add view and the prototype
workbench's multi-upload): only PNG, JPEG and WebP whose real format matches the name,
within the size and pixel limits, decoded in full; no location data in what is served;
media served with `nosniff`."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Collection

from prototypes.models import Screen
from tests.prototypes.factories import VersionFactory

pytestmark = pytest.mark.django_db
Image = get_image_model()
GPS_IFD, ORIENTATION, MAKE = 0x8825, 0x0112, 0x010F


def picture(fmt: str, size=(40, 20), exif=None) -> bytes:
    buffer = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    PILImage.new("RGB", size, "#0b5cad").save(buffer, fmt, **options)
    return buffer.getvalue()


def phone_exif() -> PILImage.Exif:
    """What a phone writes: its make, the orientation (turned 90°) and where the photo was taken."""
    exif = PILImage.Exif()
    exif[MAKE] = "Phone"
    exif[ORIENTATION] = 6
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (47.0, 23.0, 0.0)
    return exif


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
BAD_FILES = {
    "svg": ("screen.svg", SVG),
    "gif": ("screen.gif", picture("GIF")),
    "png named jpg": ("screen.jpg", picture("PNG")),
    "html named png": ("screen.png", b"<html><script>alert(1)</script></html>"),
    "truncated jpeg": ("screen.jpg", picture("JPEG", size=(400, 300))[:700]),
    "truncated png": ("screen.png", picture("PNG", size=(400, 300))[:120]),
}


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def add_image(client, name: str, data: bytes):
    return client.post(reverse("wagtailimages:add"), {
        "title": "Ecran", "file": upload(name, data), "collection": Collection.get_first_root_node().pk,
    })


@pytest.fixture
def version(tree):
    return VersionFactory(published=False)


@pytest.mark.parametrize("bad", BAD_FILES.keys())
def test_wagtails_add_view_refuses_what_atelier_does_not_need_with_a_form_error(client, facilitator, bad):
    client.force_login(facilitator)
    response = add_image(client, *BAD_FILES[bad])
    assert response.status_code == 200  # the form again, with its error: never a 500
    assert response.context["form"].errors["file"]
    assert Image.objects.count() == 0


@pytest.mark.parametrize("bad", BAD_FILES.keys())
def test_the_workbench_multi_upload_refuses_them_and_stores_nothing(client, facilitator, version, bad):
    client.force_login(facilitator)
    name, data = BAD_FILES[bad]
    files = [upload("a-good.png", picture("PNG")), upload(name, data)]
    response = client.post(reverse("prototypes_admin_screens_upload", args=[version.pk]), {"files": files})
    assert response.status_code == 400
    assert name in response.content.decode()
    assert Screen.objects.count() == 0 and Image.objects.count() == 0


@override_settings(WAGTAILIMAGES_MAX_UPLOAD_SIZE=2000, WAGTAILIMAGES_MAX_IMAGE_PIXELS=10_000)
@pytest.mark.parametrize(("name", "data"), [
    ("big.png", picture("PNG", size=(90, 90))),  # 8,100 pixels but noise makes it heavy
    ("wide.png", picture("PNG", size=(200, 60))),  # 12,000 pixels
])
def test_size_and_pixel_limits_hold_on_both_doors(client, facilitator, version, name, data):
    if name == "big.png":
        noisy = PILImage.effect_noise((90, 90), 100).convert("RGB")
        buffer = io.BytesIO()
        noisy.save(buffer, "PNG")
        data = buffer.getvalue()
        assert len(data) > 2000
    client.force_login(facilitator)
    assert add_image(client, name, data).context["form"].errors["file"]
    response = client.post(reverse("prototypes_admin_screens_upload", args=[version.pk]), {"files": [upload(name, data)]})
    assert response.status_code == 400
    assert Image.objects.count() == 0


def test_an_office_team_may_upload_pictures_but_not_an_svg(client, tree, rezina_member):
    client.force_login(rezina_member)
    assert add_image(client, *BAD_FILES["svg"]).context["form"].errors["file"]
    assert add_image(client, "ok.webp", picture("WEBP")).status_code == 302
    assert Image.objects.count() == 1


def stored_metadata(field_file) -> tuple[dict, dict, tuple[int, int]]:
    field_file.open("rb")
    with PILImage.open(field_file) as stored:
        exif = stored.getexif()
        result = dict(exif), dict(exif.get_ifd(GPS_IFD)), stored.size
    field_file.close()
    return result


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "photo.jpg"), ("PNG", "photo.png"), ("WEBP", "photo.webp")])
def test_location_and_camera_data_are_stripped_from_originals_and_renditions(client, facilitator, fmt, name):
    client.force_login(facilitator)
    data = picture(fmt, size=(40, 20), exif=phone_exif())
    assert add_image(client, name, data).status_code == 302
    image = Image.objects.get()
    exif, gps, size = stored_metadata(image.file)
    assert exif == {} and gps == {}
    # The orientation was applied to the pixels: the phone's portrait photo stays portrait.
    assert size == (20, 40) and (image.width, image.height) == (20, 40)
    rendition = image.get_rendition("max-800x800")
    exif, gps, _size = stored_metadata(rendition.file)
    assert exif == {} and gps == {}


def test_the_workbench_strips_location_data_too(client, facilitator, version):
    client.force_login(facilitator)
    files = [upload("1-photo.jpg", picture("JPEG", exif=phone_exif()))]
    response = client.post(reverse("prototypes_admin_screens_upload", args=[version.pk]), {"files": files})
    assert response.status_code == 302
    image = Screen.objects.get().image
    exif, gps, _size = stored_metadata(image.file)
    assert exif == {} and gps == {}
    assert image.file_size == image.file.size


def test_a_picture_without_metadata_is_stored_as_uploaded(client, facilitator):
    client.force_login(facilitator)
    data = picture("PNG")
    add_image(client, "plain.png", data)
    image = Image.objects.get()
    image.file.open("rb")
    assert image.file.read() == data


def test_media_are_served_with_nosniff(client, facilitator):
    client.force_login(facilitator)
    add_image(client, "screen.png", picture("PNG"))
    image = Image.objects.get()
    for url in (image.file.url, image.get_rendition("max-800x800").url):
        response = client.get(url)
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "image/png"
