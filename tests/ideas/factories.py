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
