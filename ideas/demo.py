"""The live-workshop part of the demo: starter ideas in DEMO29, and the 2016 kickoff's
ideas and dot votes (closed, so its results page shows them). Idempotent."""

from workshop_site.workshops.models import WorkshopPage

from .models import Idea, Participant, Vote, WorkshopHelper

DEMO29_IDEAS = [
    ("Un scaner portabil și o imprimantă în mașina echipei mobile", ["echipa mobilă"]),
    ("Acces la registrele electronice de pe teren, prin internet mobil", ["online", "back-office"]),
    ("O listă unică de acte cerute, afișată la primărie înainte de vizită", ["documente", "front-office"]),
    ("Programarea vizitelor echipei mobile prin telefon sau SMS", ["echipa mobilă", "front-office"]),
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
    if not Idea.objects.filter(workshop=live).exists():
        author = Participant.objects.create(
            workshop=live, display_name="Facilitatoare (idei de pornire)", role="other",
            user=demo.users.get("facilitator"), dots_left=live.dots_per_participant,
        )
        for text, tags in DEMO29_IDEAS:
            idea = Idea.objects.create(workshop=live, participant=author, author_role="other", text=text)
            idea.tags.add(*tags)
        demo.note("DEMO29 starter ideas")

    # The Rezina team helps at DEMO29: it can enter people without a phone and paper tallies.
    rezina = demo.users.get("rezina")
    if rezina is not None and not WorkshopHelper.objects.filter(workshop=live, user=rezina).exists():
        WorkshopHelper.objects.create(workshop=live, user=rezina, granted_by=demo.users.get("facilitator"))
        demo.note("DEMO29 helper rezina")

    kickoff = demo.workshops["kickoff"]
    if not Idea.objects.filter(workshop=kickoff).exists():
        _seed_kickoff(kickoff)
        demo.note("kickoff ideas and votes")


def _seed_kickoff(kickoff: WorkshopPage) -> None:
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
            workshop=kickoff, participant=participants[n], author_role=participants[n].role, text=text
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
    for voter in participants:
        Participant.objects.filter(pk=voter.pk).update(dots_left=kickoff.dots_per_participant - spent.get(voter.pk, 0))
