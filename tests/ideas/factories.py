import factory

from ideas.models import Idea, Participant


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    display_name = factory.Sequence(lambda n: f"Participant {n}")
    role = "citizen"
    dots_left = factory.LazyAttribute(lambda p: p.workshop.dots_per_participant)


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Idea

    text = factory.Sequence(lambda n: f"Idee {n}: scaner pentru echipa mobilă")
    author_role = "citizen"


def run_of_show(workshop, *, current: str = "brainstorm") -> dict:
    """DEMO29's four activities on `workshop`: a poll, a scale, the brainstorm (the board) and
    a word cloud, the `current` one holding the room in the workshop's phase (none for any other
    name); the others in `draft`. Returns them by kind."""
    from ideas.models import Activity, PollOption, ScaleStatement

    made = {
        "poll": Activity(workshop=workshop, position=1, kind="poll", title="Din ce raion veniți?"),
        "scale": Activity(workshop=workshop, position=2, kind="scale", title="Cât de ușor este azi…",
                          scale_min_label="foarte greu", scale_max_label="foarte ușor"),
        "brainstorm": Activity(workshop=workshop, position=3, kind="brainstorm", title="Echipa mobilă"),
        "words": Activity(workshop=workshop, position=4, kind="words", title="Un cuvânt pentru BCIS-ul ideal"),
    }
    made["poll"].options = [PollOption(text=t) for t in ("Dubăsari", "Călărași", "Rezina", "alt raion")]
    made["scale"].statements = [
        ScaleStatement(text=t) for t in ("să aflu ce acte trebuie", "să depun cererea", "să aflu în ce stadiu este")
    ]
    for kind, activity in made.items():
        activity.is_current = kind == current
        activity.phase = workshop.phase if kind == current else "draft"
        activity.save()
    return made
