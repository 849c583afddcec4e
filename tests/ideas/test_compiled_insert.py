"""`core.compiled.CompiledInsert` writes the rows `Model.objects.create` writes, and the vote's
path uses it: a vote is its reads and two INSERTs, with no savepoint of its own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ideas import services
from ideas.models import MessageReceipt, Vote
from workshop_site.core.compiled import CompiledInsert

from .conftest import set_phase

pytestmark = pytest.mark.django_db


def _row(instance, *, without=("id", "created")) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields
            if f.attname not in without}


def test_a_compiled_insert_writes_the_row_the_orm_writes(workshop, participant, ideas, facilitator):
    insert = CompiledInsert(Vote)
    before = timezone.now()
    insert.insert(participant_id=participant.pk, idea_id=ideas[0].pk, channel="proxy", entered_by_id=facilitator.pk)
    insert.insert(participant_id=participant.pk, idea_id=ideas[1].pk)  # the channel's default
    by_orm = Vote.objects.create(participant=participant, idea=ideas[0], channel="proxy", entered_by=facilitator)
    compiled, default, orm = Vote.objects.order_by("pk")
    assert _row(compiled) == _row(orm)
    assert _row(default) == {**_row(orm), "idea_id": ideas[1].pk, "channel": "phone", "entered_by_id": None}
    assert before <= compiled.created <= by_orm.created <= timezone.now()  # auto_now_add, aware
    assert compiled.created.tzinfo is not None


def test_a_compiled_insert_stores_json_as_the_orm_does(participant):
    answer = {"idea": {"id": 7, "text": "Program prelungit sâmbăta", "tags": ["орар"]}, "dots_left": 2,
              "at": None, "ok": True}
    CompiledInsert(MessageReceipt).insert(participant_id=participant.pk, ref="r-1", fingerprint="f" * 64, answer=answer)
    MessageReceipt.objects.create(participant=participant, ref="r-2", fingerprint="f" * 64, answer=answer)
    compiled, orm = MessageReceipt.objects.order_by("ref")
    assert compiled.answer == orm.answer == answer
    assert MessageReceipt.objects.filter(answer__idea__tags__0="орар").count() == 2  # stored as JSON, not text


def test_a_compiled_insert_refuses_a_column_the_model_lacks_and_writes_nothing(participant, ideas):
    with pytest.raises(TypeError, match="no column colour"):
        CompiledInsert(Vote).insert(participant_id=participant.pk, idea_id=ideas[0].pk, colour="red")
    assert not Vote.objects.exists()


def test_a_vote_is_three_reads_and_two_inserts_without_a_savepoint_of_its_own(workshop, participant, ideas):
    set_phase(workshop, "voting")
    message = {"type": "vote.cast", "idea": ideas[0].pk, "ref": "v-1"}
    with CaptureQueriesContext(connection) as captured:
        answer = services.write_once(
            participant_id=participant.pk, ref="v-1", message=message,
            perform=lambda: {"dots_left": services.vote_cast(participant_id=participant.pk, idea_id=ideas[0].pk)})
    statements = [q["sql"].split()[0].upper() for q in captured.captured_queries]
    # write_once's transaction is a SAVEPOINT here only because the test runs in a transaction.
    assert statements == ["SAVEPOINT", "SELECT", "SELECT", "UPDATE", "INSERT", "INSERT", "RELEASE"]
    assert answer == {"dots_left": 2}
    assert Vote.objects.filter(participant=participant, idea=ideas[0]).count() == 1
    assert MessageReceipt.objects.get(participant=participant, ref="v-1").answer == {"dots_left": 2}


def test_a_refused_vote_inside_write_once_leaves_neither_dot_nor_receipt(workshop, participant, ideas):
    set_phase(workshop, "voting")
    type(participant).objects.filter(pk=participant.pk).update(dots_left=0)
    with pytest.raises(services.NoDotsLeft):
        services.write_once(
            participant_id=participant.pk, ref="v-2", message={"type": "vote.cast", "idea": ideas[0].pk},
            perform=lambda: {"dots_left": services.vote_cast(participant_id=participant.pk, idea_id=ideas[0].pk)})
    assert not Vote.objects.exists() and not MessageReceipt.objects.exists()
    # The test's own transaction is still usable: the refusal rolled back write_once's part only.
    assert type(participant).objects.get(pk=participant.pk).dots_left == 0
