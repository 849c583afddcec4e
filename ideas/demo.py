"""The live-workshop part of the demo: DEMO29's run of show (a poll, a scale, the brainstorm
run by table with its starter ideas at the three offices' tables and two themes, a word cloud;
the room on the brainstorm), and the 2016 kickoff's closed results: a poll, a scale and its brainstorm's ideas and dot votes, answered by people of
several roles (citizens and providers far apart, as the results page points out). Idempotent."""

from dataclasses import dataclass, field

from workshop_site.workshops.models import Phase, WorkshopPage

from .models import (
    Activity,
    ActivityKind,
    DotBudget,
    Idea,
    Participant,
    PollAnswer,
    PollOption,
    ScaleRating,
    ScaleStatement,
    Table,
    Theme,
    Vote,
    WorkshopHelper,
)
from .services import tables_for_offices


@dataclass(frozen=True)
class Step:
    """One activity of a demo run of show (a run of show holds one activity of each kind)."""

    kind: str
    title: str
    prompt: str = ""
    options: tuple[str, ...] = ()
    statements: tuple[str, ...] = ()
    labels: tuple[str, str] = ("", "")
    translations: dict = field(default_factory=dict)  # Activity.translations: {"ru": {"title", "prompt"}}


EASE_STATEMENTS = ("să aflu ce acte trebuie", "să depun cererea", "să aflu în ce stadiu este dosarul")
EASE_LABELS = ("foarte greu", "foarte ușor")

# DESIGN.md, "Run of show": DEMO29 runs these four, in this order, the room on the brainstorm.
DEMO29_RUN = [
    Step(ActivityKind.POLL, "Din ce raion veniți?", options=("Dubăsari", "Călărași", "Rezina", "alt raion"),
         translations={"ru": {"title": "Из какого вы района?", "prompt": ""}}),
    Step(ActivityKind.SCALE, "Cât de ușor este azi…", prompt="Gândiți-vă la ultima cerere depusă la BCIS.",
         statements=EASE_STATEMENTS, labels=EASE_LABELS,
         translations={"ru": {"title": "Насколько легко сегодня…",
                              "prompt": "Вспомните последнее заявление, поданное в СБИУ."}}),
    # The workshop's title, as the migration named every board it made a brainstorm of.
    Step(ActivityKind.BRAINSTORM, "Echipa mobilă: serviciul livrat pe loc, în sat",
         prompt="Ce ar trebui să aibă echipa mobilă ca să livreze serviciul pe loc, nu doar informația?",
         translations={"ru": {"title": "Мобильная команда: услуга на месте, в селе",
                              "prompt": "Что нужно мобильной команде, чтобы оказывать услугу на месте, "
                                        "а не только информировать?"}}),
    Step(ActivityKind.WORDS, "Un cuvânt pentru BCIS-ul ideal",
         translations={"ru": {"title": "Одно слово об идеальном СБИУ", "prompt": ""}}),
]

# The closed 2016 kickoff: where a citizen's file gets stuck, how easy each step is, then the
# brainstorm (its ideas and dots below).
KICKOFF_POLL = Step(
    ActivityKind.POLL, "Unde se blochează cel mai des dosarul unui cetățean?",
    options=("Actele cerute de la mai multe instituții", "Drumul până la birou", "Așteptarea răspunsului",
             "Informații diferite la fiecare ghișeu"),
)
KICKOFF_RUN = [
    KICKOFF_POLL,
    Step(ActivityKind.SCALE, "Cât de ușor este azi, pentru un cetățean…", statements=EASE_STATEMENTS,
         labels=EASE_LABELS),
    Step(ActivityKind.BRAINSTORM, "Atelier de lansare: reproiectarea BCIS"),
]
# What the people of each role answered, handed out in turn to the participants of that role:
# the option each picked (an index of KICKOFF_POLL.options) and their ratings of the three
# statements. Citizens name the road and find every step hard; providers name the papers and
# find finding out easy: far apart, as the results page shows.
KICKOFF_POLL_ANSWERS = {
    "citizen": [1, 1, 2],
    "provider": [0, 0, 2, 0, 3, 0, 1, 0, 2],
    "office_staff": [0, 3, 1, 0, 2, 3],
}
KICKOFF_RATINGS = {
    "citizen": [(2, 1, 1), (2, 2, 1), (1, 2, 2)],
    "provider": [(4, 3, 2), (4, 4, 2), (5, 3, 3), (3, 4, 1), (4, 3, 2), (5, 2, 3), (4, 4, 2), (3, 3, 2), (4, 3, 3)],
    "office_staff": [(3, 3, 2), (4, 3, 2), (4, 2, 1), (3, 3, 2), (4, 4, 3), (3, 3, 2)],
}

# DEMO29's brainstorm runs by table, one per pilot office (its table's slug last): each table
# starts with the problems its office named at the kickoff.
DEMO29_IDEAS = [
    ("Acces la registrele electronice de pe teren, prin internet mobil", ["online", "back-office"], "rezina"),
    ("O listă unică de acte cerute, afișată la primărie înainte de vizită", ["documente", "front-office"], "calarasi"),
    ("Programarea vizitelor echipei mobile prin telefon sau SMS", ["echipa mobilă", "front-office"], "dubasari"),
    ("Cererea de indemnizație depusă online, fără drum la raion", ["online"], "dubasari"),
    ("Actele cerute de la primărie aduse la birou de funcționar, nu de cetățean", ["documente"], "calarasi"),
    ("Un loc în mașina echipei mobile pentru asistentul social", ["echipa mobilă"], "rezina"),
    ("Un scaner portabil și o imprimantă în mașina echipei mobile", ["echipa mobilă"], "rezina"),
    ("Statutul cererii online, verificat de acasă", ["online"], "dubasari"),
]
# Two themes the facilitator made of them (the online ideas are left for the console to
# suggest): a title and the ideas' first words.
DEMO29_THEMES = [
    ("Echipa mobilă", ("Un scaner portabil", "Programarea vizitelor", "Un loc în mașina")),
    ("Acte", ("O listă unică de acte", "Actele cerute")),
]

KICKOFF_IDEAS = [
    ("Ghișeu unic: cetățeanul depune o singură dată actele, prestatorii le circulă între ei", ["front-office", "documente"], 9),
    ("Echipa mobilă livrează serviciul pe loc, nu doar informația", ["echipa mobilă"], 8),
    ("Cererea de indemnizație depusă online, cu statutul vizibil", ["online"], 7),
    ("Eliminarea dublării pe hârtie a pașilor făcuți deja electronic", ["back-office"], 5),
    ("Orar comun afișat pentru toți prestatorii din birou", ["front-office"], 2),
]
KICKOFF_ROLES = ["provider", "office_staff", "provider", "citizen", "provider", "office_staff"]


def seed(demo) -> None:
    live = demo.workshops["live"]
    run = run_of_show_ensure(demo, live, DEMO29_RUN, current=ActivityKind.BRAINSTORM, others=Phase.DRAFT)
    if not Table.objects.filter(workshop=live).exists():
        tables_for_offices(live)  # Dubăsari, Călărași, Rezina
        Activity.objects.filter(pk=run[ActivityKind.BRAINSTORM].pk).update(by_table=True)
        demo.note("DEMO29 tables")
    tables = {table.slug: table for table in Table.objects.filter(workshop=live)}
    if not Idea.objects.filter(workshop=live).exists():
        author = Participant.objects.create(
            workshop=live, display_name="Facilitatoare (idei de pornire)", role="other",
            user=demo.users.get("facilitator"), dots_left=live.dots_per_participant,
        )
        for text, tags, table in DEMO29_IDEAS:
            idea = Idea.objects.create(
                workshop=live, activity=run[ActivityKind.BRAINSTORM], participant=author, author_role="other",
                text=text, table=tables.get(table),
            )
            idea.tags.add(*tags)
        demo.note("DEMO29 starter ideas")
    if not Theme.objects.filter(workshop=live).exists():
        for title, starts in DEMO29_THEMES:
            theme = Theme.objects.create(workshop=live, activity=run[ActivityKind.BRAINSTORM], title=title,
                                         created_by=demo.users.get("facilitator"))
            for start in starts:
                Idea.objects.filter(workshop=live, text__startswith=start).update(theme=theme)
        demo.note("DEMO29 themes")

    # The Rezina team helps at DEMO29: it can enter people without a phone and paper tallies.
    rezina = demo.users.get("rezina")
    if rezina is not None and not WorkshopHelper.objects.filter(workshop=live, user=rezina).exists():
        WorkshopHelper.objects.create(workshop=live, user=rezina, granted_by=demo.users.get("facilitator"))
        demo.note("DEMO29 helper rezina")

    kickoff = demo.workshops["kickoff"]
    run = run_of_show_ensure(demo, kickoff, KICKOFF_RUN, current=ActivityKind.BRAINSTORM, others=Phase.CLOSED)
    if not Idea.objects.filter(workshop=kickoff).exists():
        _seed_kickoff(kickoff, run[ActivityKind.BRAINSTORM])
        demo.note("kickoff ideas and votes")
    if not PollAnswer.objects.filter(activity=run[ActivityKind.POLL]).exists():
        _seed_kickoff_answers(kickoff, run[ActivityKind.POLL], run[ActivityKind.SCALE])
        demo.note("kickoff poll and scale answers")


def run_of_show_ensure(demo, workshop: WorkshopPage, steps: list[Step], *, current: str, others: str) -> dict:
    """The workshop's activities as `steps` lists them, at positions 1, 2, …; returns them by
    kind. What is missing is created: the `current` kind holds the room in the workshop's phase
    (unless the room is already on another activity), the others wait in phase `others`. What
    is there is kept, moved to its position: the migration that made every workshop's board a
    brainstorm put it first, where the demo's run of show opens with a poll."""
    found: dict[str, Activity] = {}
    for activity in Activity.objects.filter(workshop=workshop).order_by("position", "pk"):
        found.setdefault(activity.kind, activity)
    room_is_somewhere = any(activity.is_current for activity in found.values())
    run = {}
    for position, step in enumerate(steps, start=1):
        activity = found.get(step.kind)
        if activity is None:
            holds_room = step.kind == current and not room_is_somewhere
            activity = Activity(
                workshop=workshop, position=position, kind=step.kind, title=step.title, prompt=step.prompt,
                scale_min_label=step.labels[0], scale_max_label=step.labels[1],
                is_current=holds_room, phase=workshop.phase if holds_room else others,
                # A brainstorm's dots, cap and blind mode: the workshop's, as the migration gave them.
                dots_per_participant=workshop.dots_per_participant, max_dots_per_idea=workshop.max_dots_per_idea,
                blind=workshop.blind_voting and step.kind == ActivityKind.BRAINSTORM,
                translations=step.translations,
            )
            activity.options = [PollOption(text=text) for text in step.options]
            activity.statements = [ScaleStatement(text=text) for text in step.statements]
            activity.save()
            demo.note(f"{workshop.join_code} {step.kind}")
        elif activity.position != position:
            Activity.objects.filter(pk=activity.pk).update(position=position)
            activity.position = position
            demo.note(f"{workshop.join_code} {step.kind} moved to {position}")
        if step.translations and not activity.translations:  # a demo seeded before activities were translated
            Activity.objects.filter(pk=activity.pk).update(translations=step.translations)
            activity.translations = step.translations
        run[step.kind] = activity
    return run


def _seed_kickoff(kickoff: WorkshopPage, brainstorm: Activity) -> None:
    """18 participants (six per pilot office) who each spent their 3 dots, as on 29 March 2016."""
    participants = [
        Participant.objects.create(
            workshop=kickoff, display_name=f"Participant {n + 1}", role=KICKOFF_ROLES[n % len(KICKOFF_ROLES)],
            dots_left=kickoff.dots_per_participant,
        )
        for n in range(18)
    ]
    ideas = []
    for n, (text, tags, _votes) in enumerate(KICKOFF_IDEAS):
        idea = Idea.objects.create(
            workshop=kickoff, activity=brainstorm, participant=participants[n], author_role=participants[n].role,
            text=text,
        )
        idea.tags.add(*tags)
        ideas.append(idea)
    # Hand the dots out in turn so each idea ends with its count; not everyone used all three.
    dots = [idea for idea, (_t, _g, votes) in zip(ideas, KICKOFF_IDEAS, strict=True) for _ in range(votes)]
    spent: dict[int, int] = {}
    votes = []
    for i, idea in enumerate(dots):
        voter = participants[i % len(participants)]
        spent[voter.pk] = spent.get(voter.pk, 0) + 1
        votes.append(Vote(participant=voter, idea=idea))
    Vote.objects.bulk_create(votes)
    DotBudget.objects.bulk_create([
        DotBudget(participant_id=voter_pk, activity=brainstorm, dots_left=brainstorm.dots_per_participant - n)
        for voter_pk, n in spent.items()
    ])


def _seed_kickoff_answers(kickoff: WorkshopPage, poll: Activity, scale: Activity) -> None:
    """The kickoff's participants answer its poll and rate its scale, each as their role did."""
    options = list(poll.options.order_by("sort_order", "pk"))
    statements = list(scale.statements.order_by("sort_order", "pk"))
    turn: dict[str, int] = {}
    chosen: dict[int, PollOption] = {}
    ratings = []
    for participant in Participant.objects.filter(workshop=kickoff).order_by("pk"):
        answers = KICKOFF_POLL_ANSWERS.get(participant.role)
        if not answers:
            continue
        n = turn[participant.role] = turn.get(participant.role, -1) + 1
        chosen[participant.pk] = options[answers[n % len(answers)]]
        values = KICKOFF_RATINGS[participant.role][n % len(KICKOFF_RATINGS[participant.role])]
        ratings += [
            ScaleRating(participant=participant, activity=scale, statement=statement, value=value)
            for statement, value in zip(statements, values, strict=True)
        ]
    made = PollAnswer.objects.bulk_create(
        [PollAnswer(participant_id=participant_id, activity=poll) for participant_id in chosen]
    )
    PollAnswer.options.through.objects.bulk_create([
        PollAnswer.options.through(pollanswer_id=answer.pk, polloption_id=chosen[answer.participant_id].pk)
        for answer in made
    ])
    ScaleRating.objects.bulk_create(ratings)
