"""A brainstorm gets its own dots per person, cap per idea and blind mode (until now the
workshop's), and each participant a budget per brainstorm. Every workshop holds one brainstorm
so far (0005): it takes the workshop's settings, and each of its participants' dots left."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def board_settings_to_brainstorms(apps, schema_editor):
    Activity = apps.get_model("ideas", "Activity")
    DotBudget = apps.get_model("ideas", "DotBudget")
    Participant = apps.get_model("ideas", "Participant")
    for brainstorm in Activity.objects.filter(kind="brainstorm").select_related("workshop"):
        room = brainstorm.workshop
        brainstorm.dots_per_participant = room.dots_per_participant
        brainstorm.max_dots_per_idea = room.max_dots_per_idea
        brainstorm.blind = brainstorm.blind or room.blind_voting
        brainstorm.save(update_fields=["dots_per_participant", "max_dots_per_idea", "blind"])
    first = {}
    for brainstorm in Activity.objects.filter(kind="brainstorm").order_by("position", "pk"):
        first.setdefault(brainstorm.workshop_id, brainstorm.pk)
    DotBudget.objects.bulk_create(
        [DotBudget(participant_id=pk, activity_id=first[workshop_id], dots_left=dots_left)
         for pk, workshop_id, dots_left in Participant.objects.filter(workshop_id__in=first)
         .values_list("pk", "workshop_id", "dots_left").iterator()],
        batch_size=500,
    )


def brainstorm_settings_to_boards(apps, schema_editor):
    """Back: each workshop's dots left are its first brainstorm's."""
    DotBudget = apps.get_model("ideas", "DotBudget")
    Participant = apps.get_model("ideas", "Participant")
    # The first brainstorm's budget is written last.
    for budget in DotBudget.objects.order_by("-activity__position", "-activity_id"):
        Participant.objects.filter(pk=budget.participant_id).update(dots_left=budget.dots_left)


class Migration(migrations.Migration):

    dependencies = [
        ('ideas', '0005_boards_become_brainstorms'),
    ]

    operations = [
        migrations.AddField(
            model_name='activity',
            name='dots_per_participant',
            field=models.PositiveSmallIntegerField(default=3, help_text="Brainstorm: how many dots each person places on this brainstorm's ideas.", validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(20)], verbose_name='dots per person'),
        ),
        migrations.AddField(
            model_name='activity',
            name='max_dots_per_idea',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Brainstorm: leave empty to let a person put all their dots on one idea.', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(20)], verbose_name='most dots on one idea'),
        ),
        migrations.CreateModel(
            name='DotBudget',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('dots_left', models.PositiveSmallIntegerField(verbose_name='dots left')),
                ('activity', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='dot_budgets', to='ideas.activity')),
                ('participant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='dot_budgets', to='ideas.participant')),
            ],
            options={
                'verbose_name': 'dot budget',
                'verbose_name_plural': 'dot budgets',
                'constraints': [models.UniqueConstraint(fields=('participant', 'activity'), name='dot_budget_one_per_brainstorm'), models.CheckConstraint(condition=models.Q(('dots_left__gte', 0)), name='dot_budget_not_negative')],
            },
        ),
        migrations.RunPython(board_settings_to_brainstorms, brainstorm_settings_to_boards),
    ]
