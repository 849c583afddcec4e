"""Writes of prototypes: versioning, screens from uploads, hotspots."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from wagtail.images import get_image_model
from wagtail.images.forms import get_image_form

from .models import Hotspot, Prototype, PrototypeVersion, Screen


@transaction.atomic
def version_create(*, prototype: Prototype, user=None, notes: str = "") -> PrototypeVersion:
    """The next version, starting as a copy of the latest one: its screens (same pictures) and
    hotspots, with every hotspot that led to a screen leading to that screen's copy."""
    # Lock the prototype row so two "new version" clicks cannot take the same number.
    Prototype.objects.select_for_update().filter(pk=prototype.pk).first()
    previous = prototype.versions.order_by("-number").first()
    number = (prototype.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PrototypeVersion.objects.create(prototype=prototype, number=number, notes=notes, created_by=user)
    if previous is None:
        return version
    copies: dict[int, Screen] = {}
    for screen in previous.screens.order_by("sort_order", "pk"):
        copies[screen.pk] = Screen.objects.create(
            version=version, title=screen.title, image_id=screen.image_id, sort_order=screen.sort_order
        )
    Hotspot.objects.bulk_create(
        Hotspot(
            screen=copies[hotspot.screen_id],
            x=hotspot.x, y=hotspot.y, w=hotspot.w, h=hotspot.h,
            target_screen=copies.get(hotspot.target_screen_id) if hotspot.target_screen_id else None,
            target_url=hotspot.target_url, back=hotspot.back, label=hotspot.label,
        )
        for hotspot in Hotspot.objects.filter(screen__version=previous)
    )
    return version


@transaction.atomic
def screens_upload(*, version: PrototypeVersion, files, user) -> list[Screen]:
    """Several pictures at once become screens at the end of the version, in upload order.

    Each file goes through Wagtail's own image form, so its checks apply: extension, real
    format, size limit, pixel limit (decompression bombs). One bad file refuses the batch
    with the file's name, and nothing is stored.
    """
    ImageForm = get_image_form(get_image_model())
    next_order = (version.screens.aggregate(n=Max("sort_order"))["n"] or 0) + 1
    screens = []
    for position, upload in enumerate(files):
        title = upload.name.rsplit(".", 1)[0][:120] or _("Screen")
        form = ImageForm({"title": title, "collection": _root_collection_id()}, {"file": upload}, user=user)
        try:
            valid = form.is_valid()
        except (OSError, ValueError) as exc:
            # Wagtail 8's pixel check opens the file and lets Pillow's "truncated" error out.
            raise ValidationError(
                _("%(file)s: the picture is damaged or not an image (%(error)s).") % {"file": upload.name, "error": exc}
            ) from None
        if not valid:
            messages = "; ".join(str(e) for errors in form.errors.values() for e in errors)
            raise ValidationError(_("%(file)s: %(errors)s") % {"file": upload.name, "errors": messages})
        _require_full_decode(upload)
        image = form.save(commit=False)
        image.uploaded_by_user = user  # the form has set file_size and hash from the stored (cleaned) file
        image.save()
        screens.append(Screen.objects.create(version=version, title=title, image=image, sort_order=next_order + position))
    return screens


def _require_full_decode(upload) -> None:
    """Wagtail checks the header (format, size, pixels); a truncated or corrupt body only
    shows when the picture is decoded, so decode it once here (the pixel limit is already
    checked, so this cannot be a decompression bomb)."""
    from PIL import Image as PILImage

    upload.seek(0)
    try:
        with PILImage.open(upload) as picture:
            picture.load()
    except (OSError, ValueError, SyntaxError, PILImage.DecompressionBombError) as exc:
        raise ValidationError(
            _("%(file)s: the picture is damaged or not an image (%(error)s).") % {"file": upload.name, "error": exc}
        ) from None
    finally:
        upload.seek(0)


def _root_collection_id() -> int:
    from wagtail.models import Collection

    return Collection.get_first_root_node().pk


def hotspot_save(hotspot: Hotspot) -> Hotspot:
    """Validate (geometry, one target, same version, http(s) only) and store."""
    hotspot.full_clean()
    hotspot.save()
    return hotspot

