"""The benchmark's own data, in whatever database the environment names (never the demo's).

Run as `python -m bench.setup_data` with DJANGO_SETTINGS_MODULE and ATELIER_VAR_DIR (or
DATABASE_URL) set by bench/run.py, after `manage.py migrate`. It loads the demo (for the offices,
the prototype and the facilitator) and adds:

- BENCHR, the room: 20 ideas, phase `voting`, 3 dots each, nobody joined yet; its run of show
  is its brainstorm (the board, which the room is on) and a poll of 4 options waiting `open`;
- BENCHS, the sweep: 20 ideas, phase `voting`, enough dots that nobody runs out while the rate
  is stepped up (set directly: the admin's form caps dots at 20 for people, not for a load test);
- BENCHP, the pages: 500 ideas with tags, 2,000 participants and 6,000 votes;
- Rezina's plan grown to 50 items with milestones and origins.

Prints one JSON line with what the bench needs (codes, page paths, the facilitator's login).

`python -m bench.setup_data --room-on-poll`: the facilitator moves BENCHR's room to its poll
(`ideas.services.activity_set`, what the socket's `activity.set` does), so the room's phase is
the poll's, `open`; bench/run.py does it between the vote and the poll scenarios.
"""

import datetime as dt
import json
import os
import random
import sys

import django


def main() -> None:
    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from ideas.models import Activity, Idea, Participant, PollOption, TaggedIdea, Vote
    from plans.models import ActionItem, ActionPlan, Milestone
    from workshop_site.composition.demo import _publish, seed_demo
    from workshop_site.workshops.models import WorkshopIndexPage, WorkshopPage

    password = os.environ.get("DEMO_PASSWORD", "atelier-demo")
    seed_demo(password=password)
    rng = random.Random(8)
    index = WorkshopIndexPage.objects.first()
    facilitator_workshop = WorkshopPage.objects.get(join_code="DEMO29")

    def workshop(
        code: str, title: str, *, dots: int, ideas: int, tags: bool = False
    ) -> WorkshopPage:
        found = WorkshopPage.objects.filter(join_code=code).first()
        if found is not None:
            return found
        page = WorkshopPage(
            title=title,
            slug=code.lower(),
            join_code=code,
            dots_per_participant=3,
            phase="voting",
            starts_at=timezone.now(),
            place="Bench",
        )
        _publish(index, page)
        page.offices.set(facilitator_workshop.offices.all())
        WorkshopPage.objects.filter(pk=page.pk).update(dots_per_participant=dots)
        Idea.objects.bulk_create(
            Idea(
                workshop=page,
                author_role="citizen",
                text=f"Idee {n}: serviciul livrat pe loc, în sat",
            )
            for n in range(1, ideas + 1)
        )
        if tags:
            from taggit.models import Tag

            names = [
                "front-office",
                "back-office",
                "documente",
                "online",
                "echipa mobilă",
                "scaner",
                "registre",
            ]
            tag_objects = [
                Tag.objects.get_or_create(
                    name=name, defaults={"slug": name.replace(" ", "-")}
                )[0]
                for name in names
            ]
            TaggedIdea.objects.bulk_create(
                TaggedIdea(content_object=idea, tag=tag)
                for idea in Idea.objects.filter(workshop=page)
                for tag in rng.sample(tag_objects, 2)
            )
        return WorkshopPage.objects.get(pk=page.pk)

    def run_of_show(room: WorkshopPage) -> None:
        """The room's brainstorm (its ideas, the room on it, in the room's phase) and then
        DEMO29's opening poll, open, for the poll scenario (`room_on_poll`)."""
        if Activity.objects.filter(workshop=room).exists():
            return
        brainstorm = Activity.objects.create(
            workshop=room,
            position=1,
            kind="brainstorm",
            title=room.title,
            is_current=True,
            phase=room.phase,
        )
        Idea.objects.filter(workshop=room).update(activity=brainstorm)
        poll = Activity(
            workshop=room,
            position=2,
            kind="poll",
            title="Din ce raion veniți?",
            phase="open",
        )
        poll.options = [
            PollOption(text=text)
            for text in ("Dubăsari", "Călărași", "Rezina", "alt raion")
        ]
        poll.save()

    with transaction.atomic():
        run_of_show(workshop("BENCHR", "Bench: the room", dots=3, ideas=20))
        workshop("BENCHS", "Bench: the sweep", dots=1000, ideas=20)
        pages = workshop("BENCHP", "Bench: the pages", dots=3, ideas=500, tags=True)
        if not Participant.objects.filter(workshop=pages).exists():
            roles = ["citizen", "provider", "office_staff", "other"]
            Participant.objects.bulk_create(
                Participant(
                    workshop=pages,
                    display_name=f"Participant {n}",
                    role=rng.choice(roles),
                    dots_left=0,
                )
                for n in range(2000)
            )
            idea_ids = list(
                Idea.objects.filter(workshop=pages).values_list("pk", flat=True)
            )
            Vote.objects.bulk_create(
                Vote(
                    participant_id=pid,
                    idea_id=rng.choice(idea_ids),
                    channel=rng.choice(["phone", "phone", "proxy", "paper"]),
                )
                for pid in Participant.objects.filter(workshop=pages).values_list(
                    "pk", flat=True
                )
                for _ in range(3)
            )

        plan = (
            ActionPlan.objects.filter(office__slug="rezina")
            .order_by("-created")
            .first()
        )
        today = timezone.localdate()
        ideas = list(Idea.objects.filter(workshop=pages)[:50])
        for n in range(plan.items.count(), 50):
            start = today - dt.timedelta(days=rng.randint(0, 200))
            item = ActionItem.objects.create(
                plan=plan,
                title=f"Pasul {n + 1} al planului",
                sort_order=n + 1,
                status=rng.choice(["not_started", "in_progress", "done", "blocked"]),
                progress=rng.randint(0, 100),
                start=start,
                due=start + dt.timedelta(days=rng.randint(10, 300)),
                owner_name="Echipa biroului",
                owner_institution="BCIS Rezina",
            )
            item.ideas.add(ideas[n])
            Milestone.objects.bulk_create(
                Milestone(item=item, title=f"Etapa {m}", done=m == 1, sort_order=m)
                for m in range(1, 4)
            )

    office = plan.office
    print(
        json.dumps(
            {
                "room": "BENCHR",
                "sweep": "BENCHS",
                "pages": "BENCHP",
                "office_path": office.get_url(),
                "play_path": "/p/maternitate-online/",
                "plan_items": plan.items.count(),
                "facilitator": {"username": "facilitator", "password": password},
            }
        )
    )


def room_on_poll() -> None:
    django.setup()
    from django.contrib.auth import get_user_model

    from ideas import services
    from ideas.models import Activity
    from workshop_site.workshops.models import WorkshopPage

    room = WorkshopPage.objects.get(join_code="BENCHR")
    poll = Activity.objects.get(workshop=room, kind="poll")
    facilitator = get_user_model().objects.get(username="facilitator")
    view = services.activity_set(
        user=facilitator, workshop_id=room.pk, activity_id=poll.pk
    )
    print(json.dumps({"activity": view["id"], "phase": view["phase"]}))


if __name__ == "__main__":
    room_on_poll() if "--room-on-poll" in sys.argv[1:] else main()
