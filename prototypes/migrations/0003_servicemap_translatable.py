"""Service maps become translatable (Wagtail's TranslatableMixin): each existing map gets a
translation key of its own and the default locale."""

import uuid

import django.db.models.deletion
from django.db import migrations, models
from wagtail.models.i18n import BootstrapTranslatableModel


class Migration(migrations.Migration):

    dependencies = [
        ("prototypes", "0002_prototypeversion_feedback_public"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="servicemap",
            name="translation_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="servicemap",
            name="locale",
            field=models.ForeignKey(
                editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="wagtailcore.locale", verbose_name="locale",
            ),
        ),
        BootstrapTranslatableModel("prototypes.ServiceMap"),  # a key each, the default locale
        migrations.AlterField(
            model_name="servicemap",
            name="translation_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterField(
            model_name="servicemap",
            name="locale",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="wagtailcore.locale", verbose_name="locale",
            ),
        ),
        migrations.AlterUniqueTogether(
            name="servicemap",
            unique_together={("translation_key", "locale")},
        ),
    ]
