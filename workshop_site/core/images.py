"""Every uploaded picture (prototype screens, page images) goes through Wagtail's image form
with this base (settings.WAGTAILIMAGES_IMAGE_FORM_BASE), on every door: the image add and
multiple-add views, the choosers' upload and the prototype workbench's multi-upload.

Wagtail already checks the extension against WAGTAILIMAGES_EXTENSIONS, that the real format
matches it, the file size and the pixel count. This adds what it leaves to us:

- the whole picture is decoded once, so a truncated or corrupt file is a form error at
  upload instead of a failing rendition (a 500) later;
- metadata is stripped from the stored original: Willow copies EXIF into every rendition, and
  a phone photo's EXIF holds where it was taken (GPS). The EXIF orientation is applied to the
  pixels first, so nothing turns sideways. The colour profile is kept.
"""

from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageOps
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

ORIENTATION_TAG = 0x0112
# What Pillow reads into `info` that can say who, where or with what a picture was taken.
METADATA_KEYS = {"exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "iptc"}
# What is kept when re-encoding: how the colours and transparency are meant.
KEPT_KEYS = {"icc_profile", "transparency", "gamma", "dpi"}
DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, PILImage.DecompressionBombError)


def has_metadata(picture: PILImage.Image) -> bool:
    return bool(METADATA_KEYS & set(picture.info)) or bool(picture.getexif())


def damaged(name: str) -> ValidationError:
    return ValidationError(
        _("The picture is damaged or incomplete (%(file)s): save it again and upload the new file.") % {"file": name},
        code="invalid_image",
    )


class DecodedImageField(WagtailImageField):
    """Wagtail's field, with its pixel check's decoding errors (a truncated file raises
    OSError there, a 500 in Wagtail's own add view) turned into a form error."""

    def to_python(self, data):
        try:
            return super().to_python(data)
        except DECODE_ERRORS:
            raise damaged(getattr(data, "name", "")) from None


def without_metadata(upload: UploadedFile) -> UploadedFile:
    """`upload` decoded in full (ValidationError if it cannot be), re-encoded without EXIF,
    XMP and comments when it has any; returned unchanged otherwise."""
    upload.seek(0)
    try:
        with PILImage.open(upload) as picture:
            picture.load()
            if not has_metadata(picture):
                return upload
            image_format = picture.format
            upright = ImageOps.exif_transpose(picture)  # a copy, turned as EXIF said
            clean = upright.copy()
            clean.info = {key: value for key, value in picture.info.items() if key in KEPT_KEYS}
            options = dict(clean.info)
            if image_format == "JPEG":
                options["quality"] = 95
            elif image_format == "WEBP":
                options.update(lossless=bool(picture.info.get("lossless")), quality=95)
            buffer = BytesIO()
            clean.save(buffer, image_format, **options)
    except DECODE_ERRORS:
        raise damaged(upload.name) from None
    finally:
        upload.seek(0)
    return SimpleUploadedFile(upload.name, buffer.getvalue(), content_type=getattr(upload, "content_type", None))


class AtelierImageForm(BaseImageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        file_field = self.fields.get("file")
        if type(file_field) is WagtailImageField:
            # Wagtail builds the field itself (get_image_form's formfield callback); only
            # its class changes here, so its label, limits and widget stay Wagtail's.
            file_field.__class__ = DecodedImageField

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not isinstance(upload, UploadedFile):
            return upload  # editing without a new file: the stored one stays
        return without_metadata(upload)
