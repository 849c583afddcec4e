"""A run of show with every kind answered, for the results tests (API, page, exports, query
counts): DEMO29's four activities (tests.ideas.factories.run_of_show) and a room of citizens,
providers and office staff whose answers are known, so every figure can be asserted."""

from ideas import services
from ideas.kinds.poll import poll_answer
from ideas.kinds.scale import scale_rate
from ideas.kinds.words import words_add
from ideas.models import Activity
from tests.ideas.factories import ParticipantFactory, run_of_show


def set_activity_phase(activity: Activity, phase: str) -> None:
    """Another activity's phase (not the room's): its own column."""
    Activity.objects.filter(pk=activity.pk).update(phase=phase)
    activity.phase = phase


def set_room_phase(workshop, phase: str) -> None:
    """The room's phase, which is the current activity's."""
    type(workshop).objects.filter(pk=workshop.pk).update(phase=phase)
    Activity.objects.filter(workshop=workshop, is_current=True).update(phase=phase)
    workshop.phase = phase


def answered_room(workshop, *, repeat: int = 1, phase: str = "results", current: str = "brainstorm") -> dict:
    """DEMO29's four activities on `workshop` (in phase `ideas`), answered by `repeat` times
    two citizens, two providers and one office staff member, then all in `phase` (the
    brainstorm in `results` if that is `open`) with the room on the `current` one:

    - poll "Din ce raion veniți?": citizens Dubăsari; providers Dubăsari and Rezina; office
      staff Călărași (60 % Dubăsari, 20 % Călărași, 20 % Rezina; citizens and providers 50
      points apart on Dubăsari and on Rezina);
    - scale, statement 1: citizens 1 and 2, providers 5 and 4 (0 % against 100 % agree);
      statement 2: 3 from all four; statement 3: 5 from office staff only;
    - words: "Acte" / "acte" / "ACTE" (three people, one word), "rapid" twice, "Online";
    - brainstorm (current): two ideas; the citizens' idea gets 3 dots (2 citizens, 1
      provider), the provider's 1 (a citizen); posted and voted once, whatever `repeat`.
    Returns the activities by kind, the two ideas and the people by role."""
    made = run_of_show(workshop, current="brainstorm")
    people: dict[str, list] = {"citizen": [], "provider": [], "office_staff": []}
    for _ in range(repeat):
        for role, count in (("citizen", 2), ("provider", 2), ("office_staff", 1)):
            people[role] += [ParticipantFactory(workshop=workshop, role=role) for _ in range(count)]
    poll, scale, words = made["poll"], made["scale"], made["words"]
    for activity in (poll, scale, words):
        set_activity_phase(activity, "open")
    options = {option.text: option.pk for option in poll.options.all()}
    statements = [statement.pk for statement in scale.statements.all()]

    for n in range(repeat):
        c1, c2 = people["citizen"][2 * n: 2 * n + 2]
        p1, p2 = people["provider"][2 * n: 2 * n + 2]
        o1 = people["office_staff"][n]
        for person, option in ((c1, "Dubăsari"), (c2, "Dubăsari"), (p1, "Rezina"), (p2, "Dubăsari"),
                               (o1, "Călărași")):
            poll_answer(participant_id=person.pk, activity_id=poll.pk, option_ids=[options[option]])
        for person, value in ((c1, 1), (c2, 2), (p1, 5), (p2, 4)):
            scale_rate(participant_id=person.pk, activity_id=scale.pk, statement_id=statements[0], value=value)
            scale_rate(participant_id=person.pk, activity_id=scale.pk, statement_id=statements[1], value=3)
        scale_rate(participant_id=o1.pk, activity_id=scale.pk, statement_id=statements[2], value=5)
        for person, text in ((c1, "Acte"), (c1, "rapid"), (c2, "acte"), (p1, "ACTE"), (p1, "Online"),
                             (o1, "rapid")):
            words_add(participant_id=person.pk, activity_id=words.pk, text=text)

    c1, c2 = people["citizen"][:2]
    p1 = people["provider"][0]
    ours = services.idea_create(participant_id=c1.pk, text="Echipa mobilă vine în sat", tags=["acasă"])
    theirs = services.idea_create(participant_id=p1.pk, text="Programare online la birou", tags=[])
    set_room_phase(workshop, "voting")
    services.vote_cast(participant_id=c2.pk, idea_id=ours.pk)
    services.vote_cast(participant_id=c2.pk, idea_id=ours.pk)
    services.vote_cast(participant_id=p1.pk, idea_id=ours.pk)
    services.vote_cast(participant_id=c1.pk, idea_id=theirs.pk)

    set_room_phase(workshop, "results" if phase == "open" else phase)
    if current != "brainstorm":
        Activity.objects.filter(pk=made["brainstorm"].pk).update(is_current=False)
        Activity.objects.filter(pk=made[current].pk).update(is_current=True)
    for activity in (poll, scale, words):
        set_activity_phase(activity, phase)
    if current != "brainstorm":
        set_room_phase(workshop, phase)
    return {**made, "ideas": [ours, theirs], "people": people}


def more_activities(workshop, people: dict[str, list], count: int, *, phase: str = "results") -> list[Activity]:
    """`count` more polls, scales and word clouds after the run of show, each answered by
    every one of `people` (for the tests whose figures must not depend on how many there are)."""
    from ideas.models import PollOption, ScaleStatement

    made = []
    everyone = [person for group in people.values() for person in group]
    for n in range(count):
        poll = Activity(workshop=workshop, position=10 + 3 * n, kind="poll", title=f"Sondaj {n}", max_choices=2)
        poll.options = [PollOption(text=f"Opțiunea {k}") for k in range(4)]
        scale = Activity(workshop=workshop, position=11 + 3 * n, kind="scale", title=f"Scala {n}")
        scale.statements = [ScaleStatement(text=f"Afirmația {k}") for k in range(3)]
        words = Activity(workshop=workshop, position=12 + 3 * n, kind="words", title=f"Cuvinte {n}")
        for activity in (poll, scale, words):
            activity.phase = "open"
            activity.save()
        options = [option.pk for option in poll.options.all()]
        for k, person in enumerate(everyone):
            poll_answer(participant_id=person.pk, activity_id=poll.pk, option_ids=options[k % 4: k % 4 + 2])
            for j, statement in enumerate(scale.statements.all()):
                scale_rate(participant_id=person.pk, activity_id=scale.pk, statement_id=statement.pk,
                           value=1 + (k + j) % 5)
            for word in (f"cuvânt{k % 7}", f"alt{k % 3}"):
                words_add(participant_id=person.pk, activity_id=words.pk, text=word)
        for activity in (poll, scale, words):
            set_activity_phase(activity, phase)
        made += [poll, scale, words]
    return made
