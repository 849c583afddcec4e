"""A few pins on the demo prototype, as the first testers in Călărași left them."""

from prototypes.selectors import version_by_number

from .models import Feedback

PINS = [
    ("Formular", 0.5, 0.45, "Nu știu unde găsesc IDNP-ul copilului, abia s-a născut.", 3, "citizen"),
    ("Acte", 0.5, 0.4, "Foarte bine că nu mai trebuie să aduc certificatul de la angajator!", 5, "citizen"),
    ("Statut", 0.5, 0.35, "Aș vrea să primesc și un SMS când se schimbă statutul.", 4, "citizen"),
]


def seed(demo) -> None:
    seed_pins(demo)
    seed_task(demo)


def seed_pins(demo) -> None:
    version = version_by_number("maternitate-online", 1)
    if version is None or Feedback.objects.filter(version=version).exists():
        return
    screens = {s.title: s for s in version.screens.all()}
    for title, x, y, text, rating, role in PINS:
        Feedback.objects.create(version=version, screen=screens[title], x=x, y=y, text=text, rating=rating, author_role=role)
    demo.note("prototype feedback")


def seed_task(demo) -> None:
    """The test task of the demo: apply online, from the start screen to the status screen,
    with the runs of the first testers (scripted, so the results page has figures)."""
    import datetime as dt

    from django.utils import timezone

    from .models import Tap, TaskRun, TestTask

    version = version_by_number("maternitate-online", 1)
    if version is None or TestTask.objects.filter(version=version).exists():
        return
    screens = {s.title: s for s in version.screens.all()}
    start, form, documents, status = (screens[t] for t in ("Start", "Formular", "Acte", "Statut"))
    task = TestTask.objects.create(
        version=version, instruction="Depuneți cererea pentru indemnizația de maternitate și vedeți statutul ei.",
        start_screen=start, expected_path=[start.pk, form.pk, documents.pk, status.pk],
    )
    task.goal_screens.set([status])
    button = 0.855  # the fraction where the big button is drawn (prototypes.demo.BUTTON)
    # (taps as (screen, x, y, hit, led_to, seconds), outcome)
    scripts = [
        ([(start, .5, button, True, form, 3), (form, .5, button, True, documents, 21), (documents, .5, button, True, status, 30)], "completed"),
        ([(start, .5, button, True, form, 5), (form, .5, .3, False, None, 12), (form, .5, button, True, documents, 29),
          (documents, .5, button, True, status, 41)], "completed"),
        ([(start, .5, .75, False, None, 4), (start, .5, button, True, form, 9), (form, .05, .04, True, start, 20),
          (start, .5, button, True, form, 26), (form, .5, button, True, documents, 40), (documents, .5, button, True, status, 52)], "completed"),
        ([(start, .5, button, True, form, 6), (form, .5, .5, False, None, 30), (form, .5, .6, False, None, 48)], "gave_up"),
    ]
    now = timezone.now()
    for taps, outcome in scripts:
        run = TaskRun.objects.create(task=task, outcome=outcome, ended_at=now, current_screen=status if outcome == "completed" else form)
        TaskRun.objects.filter(pk=run.pk).update(started_at=now - dt.timedelta(seconds=taps[-1][5] + 1))
        for screen, x, y, hit, led_to, seconds in taps:
            Tap.objects.create(run=run, screen=screen, x=x, y=y, hit=hit, led_to=led_to, ms_since_start=seconds * 1000)
    demo.note("prototype test task")
