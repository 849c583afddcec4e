"""A few pins on the demo prototype, as the first testers in Călărași left them."""

from prototypes.models import PrototypeVersion

from .models import Feedback

PINS = [
    ("Formular", 0.5, 0.45, "Nu știu unde găsesc IDNP-ul copilului, abia s-a născut.", 3, "citizen"),
    ("Acte", 0.5, 0.4, "Foarte bine că nu mai trebuie să aduc certificatul de la angajator!", 5, "citizen"),
    ("Statut", 0.5, 0.35, "Aș vrea să primesc și un SMS când se schimbă statutul.", 4, "citizen"),
]


def seed(demo) -> None:
    version = PrototypeVersion.objects.filter(prototype__slug="maternitate-online", number=1).first()
    if version is None or Feedback.objects.filter(version=version).exists():
        return
    screens = {s.title: s for s in version.screens.all()}
    for title, x, y, text, rating, role in PINS:
        Feedback.objects.create(version=version, screen=screens[title], x=x, y=y, text=text, rating=rating, author_role=role)
    demo.note("prototype feedback")
