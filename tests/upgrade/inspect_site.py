"""What the upgraded site holds and what it answers, read with the current code.

test_upgrade_from_main runs this in a subprocess, against the scratch database it has just
migrated (DATABASE_URL, ATELIER_VAR_DIR and MEDIA_ROOT name it and its pictures):

    python -m tests.upgrade.inspect_site ASKED.json OUT.json

It only reads (but for the renditions and sessions its requests make): the counts of every
model of the domain and foundation apps, the page tree, who is in which group with which
permissions, whether each picture's file is there, then the answers to the addresses in
ASKED.json through Django's test Client, anonymous and logged in. The test compares all of
it with what the old database held before the upgrade.
"""

import json
import os
import re
import sys
from pathlib import Path

# Apps whose every model must come through an upgrade with its rows: the domain apps and the
# foundation apps (every `workshop_site.*` app, so an app added there is covered too).
DOMAIN_APPS = ("ideas", "prototypes", "feedback", "plans")
FOUNDATION_PREFIX = "workshop_site."
# Wagtail, Django and taggit tables the demo's users, pages and pictures live in.
FRAMEWORK_MODELS = (
    "auth.Group",
    "wagtailcore.Page",
    "wagtailcore.Locale",
    "wagtailcore.Site",
    "wagtailcore.Collection",
    "wagtailcore.Revision",
    "wagtailcore.GroupPagePermission",
    "wagtailcore.GroupCollectionPermission",
    "wagtailcore.Workflow",
    "wagtailimages.Image",
    "taggit.Tag",
)
# Any picture a page or an answer points at, e.g. <image href="/media/images/…">.
MEDIA_URL = re.compile(r"""["'](/media/[^"'?#]+)""")


def _models():
    from django.apps import apps

    chosen = []
    for config in apps.get_app_configs():
        if config.name in DOMAIN_APPS or config.name.startswith(FOUNDATION_PREFIX):
            chosen += [(config.name, model) for model in config.get_models(include_auto_created=True)]
    chosen += [("framework", apps.get_model(label)) for label in FRAMEWORK_MODELS]
    return [(app, model) for app, model in chosen if model._meta.managed and not model._meta.proxy]


def model_counts() -> list[dict]:
    return [
        {
            "app": app,
            "label": model._meta.label,
            "table": model._meta.db_table,
            "auto_created": bool(model._meta.auto_created),
            "count": model._base_manager.count(),
        }
        for app, model in _models()
    ]


def pages() -> list[dict]:
    from wagtail.models import Page

    out = []
    for page in Page.objects.select_related("locale", "content_type").order_by("path"):
        specific = page.specific_class
        out.append({
            "id": page.pk,
            "title": page.title,
            "url_path": page.url_path,
            "live": page.live,
            "depth": page.depth,
            "locale": page.locale.language_code,
            "type": f"{page.content_type.app_label}.{page.content_type.model}",
            "class_found": specific is not None,
            "url": page.get_url() if page.depth > 1 else None,
        })
    return out


def accounts() -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from wagtail.models import GroupPagePermission

    User = get_user_model()
    return {
        "users": sorted(
            [u.username, u.is_superuser, u.is_staff, u.is_active, sorted(u.groups.values_list("name", flat=True))]
            for u in User.objects.all()
        ),
        "group_permissions": sorted(
            [group.name, app_label, codename]
            for group in Group.objects.all()
            for app_label, codename in group.permissions.values_list("content_type__app_label", "codename")
        ),
        "page_permissions": sorted(
            GroupPagePermission.objects.values_list("group__name", "page__url_path", "permission__codename")
        ),
    }


def pictures() -> list[dict]:
    from django.core.files.storage import default_storage
    from wagtail.images import get_image_model

    return [
        {"id": image.pk, "file": image.file.name, "exists": default_storage.exists(image.file.name)}
        for image in get_image_model().objects.order_by("pk")
    ]


def rooms() -> list[dict]:
    """Each workshop page with its run of show, and each of its ideas with the activity that
    holds it and its votes."""
    from django.db.models import Count

    from ideas.models import Activity, DotBudget, Idea
    from workshop_site.workshops.models import WorkshopPage

    return [
        {
            "id": page.pk,
            "code": page.join_code,
            "phase": page.phase,
            "activities": [
                {"id": pk, "kind": kind, "position": position, "phase": phase, "is_current": is_current,
                 "voting": [dots, cap, blind]}
                for pk, kind, position, phase, is_current, dots, cap, blind in Activity.objects.filter(workshop=page)
                .order_by("position", "pk").values_list("pk", "kind", "position", "phase", "is_current",
                                                        "dots_per_participant", "max_dots_per_idea", "blind")
            ],
            "budgets": {
                str(participant): [activity, dots_left] for participant, activity, dots_left in
                DotBudget.objects.filter(participant__workshop=page).values_list("participant_id", "activity_id", "dots_left")
            },
            "ideas": {
                str(pk): {"activity": activity_id, "votes": votes}
                for pk, activity_id, votes in Idea.objects.filter(workshop=page).annotate(dots=Count("votes"))
                .order_by("pk").values_list("pk", "activity_id", "dots")
            },
        }
        for page in WorkshopPage.objects.order_by("pk")
    ]


def unapplied_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def answer(client, url: str) -> dict:
    response = client.get(url)
    content_type = response.headers.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    out = {"status": response.status_code, "content_type": content_type, "location": response.headers.get("Location")}
    if content_type.startswith("application/json"):
        out["json"] = json.loads(body) if body else None
    elif content_type.startswith("text/"):
        out["text"] = body.decode("utf-8", "replace")
    else:
        out["bytes"] = len(body)
    return out


def picture_urls(answers: dict) -> set[str]:
    """The pictures the answers point at (renditions are made on the way): image_url in the
    prototype API, /media/… in the HTML."""
    urls = set()
    for found in answers.values():
        urls.update(MEDIA_URL.findall(found.get("text") or ""))
        urls.update(MEDIA_URL.findall(json.dumps(found.get("json"))))
    return urls


def requests(asked: dict) -> dict:
    """GET each address as the test asked: anonymous, then logged in as `asked["login"]`."""
    from django.conf import global_settings
    from django.test import Client, override_settings

    client = Client()
    answers = {url: answer(client, url) for url in asked["anonymous"]}
    for url in sorted(picture_urls(answers) - answers.keys()):
        answers[url] = answer(client, url)

    user = Client()
    username, password = asked["login"]
    # The test settings hash with MD5 only; the old database holds Django's default hashes.
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        logged_in = user.login(username=username, password=password)
    as_user = {url: answer(user, url) for url in asked["logged_in"]} if logged_in else {}
    return {"anonymous": answers, "logged_in": logged_in, "as_user": as_user}


def main(asked_path: str, out_path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workshop_site.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    report = {
        "settings": {
            "engine": connection.vendor,
            "database": str(settings.DATABASES["default"]["NAME"]),
            "media_root": str(settings.MEDIA_ROOT),
        },
        "unapplied_migrations": unapplied_migrations(),
        "models": model_counts(),
        "pages": pages(),
        "accounts": accounts(),
        "pictures": pictures(),
        "rooms": rooms(),
        "requests": requests(json.loads(Path(asked_path).read_text(encoding="utf-8"))),
    }
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(report, handle, ensure_ascii=False, indent=1, default=str)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
