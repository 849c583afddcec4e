"""Services become translatable (Wagtail's TranslatableMixin): each existing service gets a
translation key of its own and the default locale; a slug is unique per language, as a
translation keeps its service's slug."""

import uuid

import django.db.models.deletion
from django.db import migrations, models
from wagtail.models.i18n import BootstrapTranslatableModel


class Migration(migrations.Migration):

    dependencies = [
        ("offices", "0002_office_team_shared_by_translations"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="service",
            name="translation_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="service",
            name="locale",
            field=models.ForeignKey(
                editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="wagtailcore.locale", verbose_name="locale",
            ),
        ),
        BootstrapTranslatableModel("offices.Service"),  # a key each, the default locale
        migrations.AlterField(
            model_name="service",
            name="translation_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterField(
            model_name="service",
            name="locale",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="wagtailcore.locale", verbose_name="locale",
            ),
        ),
        migrations.AlterField(
            model_name="service",
            name="slug",
            field=models.SlugField(max_length=100, verbose_name="slug"),
        ),
        migrations.AlterUniqueTogether(
            name="service",
            unique_together={("translation_key", "locale")},
        ),
        migrations.AddConstraint(
            model_name="service",
            constraint=models.UniqueConstraint(fields=("slug", "locale"), name="service_slug_unique_per_locale"),
        ),
    ]
