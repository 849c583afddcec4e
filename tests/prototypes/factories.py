import io

import factory
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

from prototypes.models import Prototype, PrototypeVersion, Screen
from tests.factories import ServiceFactory


def png_bytes(width=360, height=740, color="#0b5cad") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def named(data: bytes, name: str) -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_image_model()

    title = factory.Sequence(lambda n: f"Screen picture {n}")
    file = factory.LazyFunction(lambda: ImageFile(named(png_bytes(), "screen.png")))


class PrototypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prototype

    title = "Indemnizația online"
    slug = factory.Sequence(lambda n: f"proto-{n}")
    service = factory.SubFactory(ServiceFactory)


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrototypeVersion

    prototype = factory.SubFactory(PrototypeFactory)
    number = factory.Sequence(lambda n: n + 1)
    published = True


class ScreenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Screen

    version = factory.SubFactory(VersionFactory)
    title = factory.Sequence(lambda n: f"Ecran {n}")
    image = factory.SubFactory(ImageFactory)
    sort_order = factory.Sequence(lambda n: n)
