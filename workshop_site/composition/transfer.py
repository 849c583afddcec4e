"""Moving one workshop between sites: `export_workshop` and `import_workshop` (backup, restore,
archive a pilot, hand a workshop to another office's server).

One JSON document holds the workshop page and everything that hangs off it: participants
(display names and roles only: no session keys, no addresses, no accounts), ideas, votes,
prototypes with their screen pictures embedded, service maps of the prototypes' services,
feedback, test tasks with their runs and taps, and the action plans and items that came from
the workshop. Rows never carry their primary key: every section numbers its rows 1, 2, 3…
in a stable order and other rows point at those numbers, so exporting an imported workshop
gives the same document again (the round trip is tested that way).

A section is declared once in `SECTIONS`; a new model that belongs to a workshop (e.g. proxy
participants or paper tallies) is one more `ModelSection(...)` line there, placed after the
sections it points at. Staff references (who hid an idea, an item's owner) travel as
usernames and are linked on import only when that account exists.

The import restores rows as they were (including a closed phase or hidden ideas), so it
writes them directly inside one transaction rather than replaying the live services, whose
rules (phase, budget) describe how a workshop may change, not what a finished one holds.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import posixpath
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from modelcluster.models import ClusterableModel
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Site

from feedback.models import Feedback, Tap, TaskRun, TestTask
from ideas.models import Idea, Participant, TallyLine, TallySheet, Vote, WorkshopHelper
from plans.models import ActionItem, ActionPlan, ItemUpdate, Milestone
from prototypes.models import (
    Hotspot,
    MapStep,
    Prototype,
    PrototypeVersion,
    Screen,
    ServiceMap,
)
from workshop_site.core.i18n import canonical_objects
from workshop_site.core.page_tree import wagtail_roots_ensure
from workshop_site.home.models import HomePage
from workshop_site.offices.models import OfficeIndexPage, OfficePage, Service
from workshop_site.offices.services import office_team_ensure
from workshop_site.workshops.models import WorkshopIndexPage, WorkshopPage

FORMAT = "atelier.workshop"
FORMAT_VERSION = 1
# The only top-level key that differs between two exports of the same workshop.
VOLATILE_KEYS = frozenset({"exported_at"})
IMAGE_FORMATS = {"PNG", "JPEG", "WEBP"}  # what Atelier accepts as uploads (no SVG)


class TransferRefused(Exception):
    """The import cannot go ahead (the workshop exists, the file is not an export…); nothing
    was written."""


# --- the scope of one workshop ------------------------------------------------------------------


def workshop_scope(workshop: WorkshopPage) -> dict[str, models.QuerySet]:
    """The rows that belong to `workshop`, by kind: what the sections below export."""
    ideas = Idea.objects.filter(workshop=workshop)
    prototypes = Prototype.objects.filter(Q(workshop=workshop) | Q(ideas__in=ideas)).distinct()
    versions = PrototypeVersion.objects.filter(prototype__in=prototypes)
    feedback = Feedback.objects.filter(version__in=versions)
    items = ActionItem.objects.filter(
        Q(plan__workshop=workshop) | Q(ideas__in=ideas) | Q(prototype_versions__in=versions) | Q(feedback__in=feedback)
    ).distinct()
    plans = ActionPlan.objects.filter(Q(workshop=workshop) | Q(items__in=items)).distinct()
    services = Service.objects.filter(prototypes__in=prototypes).distinct()
    offices = OfficePage.objects.filter(
        Q(workshops=workshop) | Q(prototypes__in=prototypes) | Q(action_plans__in=plans)
    ).distinct()
    return {
        "workshop": WorkshopPage.objects.filter(pk=workshop.pk),
        "offices": offices,
        "services": services,
        "ideas": ideas,
        "prototypes": prototypes,
        "versions": versions,
        "feedback": feedback,
        "plans": plans,
        "items": items,
    }


# --- encoding of single values ------------------------------------------------------------------


def _encode(model_field: models.Field, value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(model_field, models.DecimalField | models.UUIDField):
        return str(value)
    return value


def _decode(model_field: models.Field, value):
    if value is None or isinstance(model_field, models.JSONField):
        return value
    return model_field.to_python(value)


def _auto_timestamp(model_field: models.Field) -> bool:
    return getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False)


# --- the export and import state ----------------------------------------------------------------


@dataclass
class ExportContext:
    workshop: WorkshopPage
    scope: dict[str, models.QuerySet]
    refs: dict[str, dict[int, int]] = field(default_factory=dict)  # section → pk → ref

    def ref(self, section: str, pk: int | None) -> int | None:
        return None if pk is None else self.refs.get(section, {}).get(pk)


@dataclass
class ImportContext:
    document: dict
    objects: dict[str, dict[int, models.Model]] = field(default_factory=dict)  # section → ref → object
    created_services: set[int] = field(default_factory=set)
    missing_users: set[str] = field(default_factory=set)
    later: list[Callable[[], None]] = field(default_factory=list)  # self-references and many-to-many
    timestamps: list[tuple[type[models.Model], int, dict]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def get(self, section: str, ref) -> models.Model | None:
        if ref is None:
            return None
        return self.objects.get(section, {}).get(ref)

    def user(self, username: str | None):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            self.missing_users.add(username)
        return user


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


# --- sections -----------------------------------------------------------------------------------


@dataclass
class ModelSection:
    """The rows of one model, with their fields and their pointers to other sections.

    `rows(scope)` picks them (ordered by pk, so refs are stable); `fields` are copied as they
    are; `refs` maps a foreign key to the section it points at; `many` does the same for
    many-to-many fields; `users` are staff accounts, as usernames; `id_lists` are JSON lists
    of another section's primary keys (e.g. a task's expected path of screens).
    """

    name: str
    model: type[models.Model]
    rows: Callable[[dict], models.QuerySet]
    fields: tuple[str, ...] = ()
    refs: dict[str, str] = field(default_factory=dict)
    many: dict[str, str] = field(default_factory=dict)
    users: tuple[str, ...] = ()
    id_lists: dict[str, str] = field(default_factory=dict)
    tags: bool = False

    def _field(self, name: str) -> models.Field:
        return self.model._meta.get_field(name)

    def dump(self, ctx: ExportContext) -> list[dict]:
        queryset = self.rows(ctx.scope).order_by("pk")
        if self.many:
            queryset = queryset.prefetch_related(*self.many)
        queryset = list(queryset)
        out = []
        numbering = ctx.refs.setdefault(self.name, {})
        for obj in queryset:
            numbering[obj.pk] = len(numbering) + 1
        for obj in queryset:
            row = {"ref": numbering[obj.pk]}
            for name in self.fields:
                row[name] = _encode(self._field(name), getattr(obj, name))
            for name, target in self.refs.items():
                row[name] = ctx.ref(target, getattr(obj, self._field(name).attname))
            for name, target in self.many.items():
                # Links to rows outside this workshop (another workshop's idea) are left out.
                row[name] = sorted(r for r in (ctx.ref(target, o.pk) for o in getattr(obj, name).all()) if r)
            for name in self.users:
                row[name] = _username(getattr(obj, name))
            for name, target in self.id_lists.items():
                row[name] = [ctx.ref(target, pk) for pk in (getattr(obj, name) or [])]
            if self.tags:
                row["tags"] = sorted(obj.tags.names())
            row.update(self.extra_row(obj))
            out.append(row)
        return out

    def extra_row(self, obj) -> dict:
        """What a section adds to a row besides its fields and pointers."""
        return {}

    def extra_values(self, ctx: ImportContext, row: dict) -> dict:
        """What a section reads back from `extra_row`, for the new object."""
        return {}

    def load(self, ctx: ImportContext, rows: list[dict]) -> None:
        created = ctx.objects.setdefault(self.name, {})
        for row in rows:
            values, deferred = {}, {}
            for name in self.fields:
                values[name] = _decode(self._field(name), row.get(name))
            skip = False
            for name, target in self.refs.items():
                ref = row.get(name)
                if target == self.name and ref is not None and ref not in created:
                    deferred[name] = ref  # a later row of this section: linked once all exist
                    continue
                obj = ctx.get(target, ref)
                if obj is None and (ref is not None or not self._field(name).null):
                    # Its parent was not imported (e.g. a map of a service the site already had).
                    skip = True
                    break
                values[name] = obj
            if skip:
                continue
            for name in self.users:
                values[name] = ctx.user(row.get(name))
            for name, target in self.id_lists.items():
                values[name] = [ctx.get(target, ref).pk for ref in row.get(name) or [] if ctx.get(target, ref)]
            values.update(self.extra_values(ctx, row))
            obj = self.model(**values)
            obj.save()
            created[row["ref"]] = obj
            ctx.counts[self.name] = ctx.counts.get(self.name, 0) + 1
            if self.tags and row.get("tags"):
                obj.tags.add(*row["tags"])
            ctx.later.append(self._links(ctx, obj, row, deferred))
            stamps = {
                name: values[name] for name in self.fields if _auto_timestamp(self._field(name)) and values[name]
            }
            if stamps:
                ctx.timestamps.append((self.model, obj.pk, stamps))

    def _links(self, ctx: ImportContext, obj, row: dict, deferred: dict) -> Callable[[], None]:
        def link() -> None:
            if deferred:
                self.model.objects.filter(pk=obj.pk).update(
                    **{name: ctx.get(self.name, ref) for name, ref in deferred.items()}
                )
            for name, target in self.many.items():
                getattr(obj, name).set([o for o in (ctx.get(target, ref) for ref in row.get(name) or []) if o])
            if self.many and isinstance(obj, ClusterableModel):
                obj.save()  # parental many-to-many fields are written when a cluster saves
        return link


class WorkshopSection(ModelSection):
    """The workshop page itself: refused when its join code (or its slug next to its future
    siblings) is already taken; placed under the site's workshop index, made if missing."""

    PAGE_FIELDS = (
        "title", "slug", "seo_title", "search_description", "live", "introduction", "starts_at", "ends_at",
        "place", "join_code", "dots_per_participant", "max_dots_per_idea", "blind_voting", "phase",
        "timer_ends_at",
    )

    def __init__(self):
        super().__init__(name="workshop", model=WorkshopPage, rows=lambda s: s["workshop"], fields=self.PAGE_FIELDS,
                         many={"offices": "offices"}, tags=False)

    def dump(self, ctx: ExportContext) -> list[dict]:
        rows = super().dump(ctx)
        workshop = ctx.workshop
        rows[0].update(
            agenda=list(workshop.agenda.get_prep_value()),
            facilitators=sorted(_username(u) for u in workshop.facilitators.all()),
            suggested_tags=sorted(tag.name for tag in workshop.suggested_tags.all()),
        )
        return rows

    def load(self, ctx: ImportContext, rows: list[dict]) -> None:
        if len(rows) != 1:
            raise TransferRefused("The file must hold exactly one workshop.")
        row = rows[0]
        code = row.get("join_code")
        if WorkshopPage.objects.filter(join_code=code).exists():
            raise TransferRefused(
                f"A workshop with the join code {code} already exists on this site; nothing was imported."
            )
        parent = workshop_index_ensure()
        if parent.get_children().filter(slug=row.get("slug")).exists():
            raise TransferRefused(
                f"A page with the slug {row.get('slug')!r} already exists under {parent.title!r}; nothing was imported."
            )
        values = {name: _decode(self._field(name), row.get(name)) for name in self.fields}
        page = WorkshopPage(**values, agenda=row.get("agenda") or [])
        page.offices.set([o for o in (ctx.get("offices", ref) for ref in row.get("offices") or []) if o])
        page.facilitators.set([u for u in (ctx.user(name) for name in row.get("facilitators") or []) if u])
        parent.add_child(instance=page)
        page.suggested_tags.set(row.get("suggested_tags") or [])
        page.save()
        revision = page.save_revision()
        if values["live"]:
            revision.publish()
        ctx.objects["workshop"] = {row["ref"]: WorkshopPage.objects.get(pk=page.pk)}
        ctx.counts["workshop"] = 1


class OfficeSection(ModelSection):
    """Offices are the site's own pages: referred to by slug, reused when present, created
    (minimal, under the office index) when missing."""

    def __init__(self):
        super().__init__(name="offices", model=OfficePage, rows=lambda s: s["offices"],
                         fields=("slug", "title", "district"))

    def load(self, ctx: ImportContext, rows: list[dict]) -> None:
        objects = ctx.objects.setdefault(self.name, {})
        for row in rows:
            office = OfficePage.objects.filter(slug=row["slug"]).first()
            if office is None:
                index = office_index_ensure()
                office = OfficePage(slug=row["slug"], title=row["title"], district=row.get("district") or "")
                index.add_child(instance=office)
                office.save_revision().publish()
                office_team_ensure(office=office)
                ctx.counts[self.name] = ctx.counts.get(self.name, 0) + 1
            objects[row["ref"]] = office


class ServiceSection(ModelSection):
    """Services are shared by workshops: reused by slug, created when missing. Only the
    services created here get the exported service maps (a present one keeps its own)."""

    def __init__(self):
        super().__init__(name="services", model=Service, rows=lambda s: s["services"],
                         fields=("slug", "name", "institution", "description"))

    def dump(self, ctx: ExportContext) -> list[dict]:
        rows = super().dump(ctx)
        by_ref = {ref: pk for pk, ref in ctx.refs[self.name].items()}
        tags = dict.fromkeys(by_ref.values())
        for service in Service.objects.filter(pk__in=tags).prefetch_related("tags"):
            tags[service.pk] = sorted(tag.name for tag in service.tags.all())
        for row in rows:
            row["tags"] = tags[by_ref[row["ref"]]]
        return rows

    def load(self, ctx: ImportContext, rows: list[dict]) -> None:
        objects = ctx.objects.setdefault(self.name, {})
        for row in rows:
            service = canonical_objects(Service.objects.filter(slug=row["slug"])).first()
            if service is None:
                service = Service(**{name: row.get(name) or "" for name in self.fields})
                service.tags.set(row.get("tags") or [])
                service.save()
                ctx.created_services.add(service.pk)
                ctx.counts[self.name] = ctx.counts.get(self.name, 0) + 1
            objects[row["ref"]] = service


class ImageSection(ModelSection):
    """Screen pictures, embedded as base64 with their SHA-256 so a restore needs no media
    backup for them. Renditions are not exported: Wagtail makes them again on demand."""

    def __init__(self):
        super().__init__(
            name="images", model=get_image_model(),
            rows=lambda s: get_image_model().objects.filter(pk__in=Screen.objects.filter(
                version__in=s["versions"]).values("image_id")),
            fields=("title", "description", "created_at", "focal_point_x", "focal_point_y",
                    "focal_point_width", "focal_point_height"),
        )

    def dump(self, ctx: ExportContext) -> list[dict]:
        rows = super().dump(ctx)
        by_ref = {ref: pk for pk, ref in ctx.refs[self.name].items()}
        for row in rows:
            image = self.model.objects.get(pk=by_ref[row["ref"]])
            with image.open_file() as handle:
                data = handle.read()
            row.update(
                filename=posixpath.basename(image.file.name),
                sha256=hashlib.sha256(data).hexdigest(),
                data=base64.b64encode(data).decode("ascii"),
            )
        return rows

    def load(self, ctx: ImportContext, rows: list[dict]) -> None:
        objects = ctx.objects.setdefault(self.name, {})
        for row in rows:
            try:
                data = base64.b64decode(row["data"], validate=True)
            except (KeyError, TypeError, ValueError):
                raise TransferRefused(f"Image {row.get('ref')}: its data is not base64.") from None
            if hashlib.sha256(data).hexdigest() != row.get("sha256"):
                raise TransferRefused(f"Image {row.get('ref')}: the data does not match its SHA-256.")
            try:
                with PILImage.open(io.BytesIO(data)) as picture:
                    kind = picture.format
            except (OSError, PILImage.DecompressionBombError):
                kind = None
            if kind not in IMAGE_FORMATS:
                raise TransferRefused(f"Image {row.get('ref')}: only PNG, JPEG and WebP pictures are accepted.")
            values = {name: _decode(self._field(name), row.get(name)) for name in self.fields}
            values["description"] = values["description"] or ""
            image = self.model(**values, file=ImageFile(io.BytesIO(data), name=posixpath.basename(row["filename"])))
            image._set_image_file_metadata()
            image.save()
            if values["created_at"]:
                ctx.timestamps.append((self.model, image.pk, {"created_at": values["created_at"]}))
            objects[row["ref"]] = image
            ctx.counts[self.name] = ctx.counts.get(self.name, 0) + 1


class ServiceMapSection(ModelSection):
    """A service's maps with their translations: each row names its language and its family
    (a file from before maps were translated has neither: the default language, a family each)."""

    def extra_row(self, obj) -> dict:
        return {"locale": obj.locale.language_code, "translation_key": str(obj.translation_key)}

    def extra_values(self, ctx: ImportContext, row: dict) -> dict:
        locale = Locale.objects.filter(language_code=row.get("locale") or "").first() or Locale.get_default()
        key = row.get("translation_key")
        try:
            return {"locale": locale, "translation_key": uuid.UUID(key) if key else uuid.uuid4()}
        except (TypeError, ValueError):
            raise TransferRefused(f"Service map {row.get('ref')}: {key!r} is not a translation key.") from None

    def load(self, ctx: ImportContext, rows: list[dict]) -> None:
        wanted = [r for r in rows if getattr(ctx.get("services", r.get("service")), "pk", None) in ctx.created_services]
        super().load(ctx, wanted)


def _versions(scope):
    return scope["versions"]


# The order matters: a section may point only at the sections above it (or at itself).
SECTIONS: tuple[ModelSection, ...] = (
    OfficeSection(),
    ServiceSection(),
    WorkshopSection(),
    ModelSection(
        "helpers", WorkshopHelper, lambda s: WorkshopHelper.objects.filter(workshop__in=s["workshop"]),
        fields=("created",), refs={"workshop": "workshop"}, users=("user", "granted_by"),
    ),
    ModelSection(
        "participants", Participant, lambda s: Participant.objects.filter(workshop__in=s["workshop"]),
        fields=("display_name", "role", "dots_left", "is_proxy", "created", "modified"),
        refs={"workshop": "workshop"}, users=("entered_by",),
    ),
    ModelSection(
        "ideas", Idea, lambda s: s["ideas"],
        fields=("text", "author_role", "hidden", "hidden_at", "content_id", "created", "modified"),
        refs={"workshop": "workshop", "participant": "participants", "merged_into": "ideas"},
        users=("creator", "hidden_by", "entered_by"), tags=True,
    ),
    ModelSection(
        "votes", Vote, lambda s: Vote.objects.filter(idea__in=s["ideas"]),
        fields=("channel", "created"), refs={"participant": "participants", "idea": "ideas"}, users=("entered_by",),
    ),
    ModelSection(
        "tally_sheets", TallySheet, lambda s: TallySheet.objects.filter(workshop__in=s["workshop"]),
        fields=("round", "voters", "note", "current", "created"),
        refs={"workshop": "workshop", "corrects": "tally_sheets"}, users=("entered_by",),
    ),
    ModelSection(
        "tally_lines", TallyLine, lambda s: TallyLine.objects.filter(sheet__workshop__in=s["workshop"]),
        fields=("dots",), refs={"sheet": "tally_sheets", "idea": "ideas"},
    ),
    ImageSection(),
    ModelSection(
        "prototypes", Prototype, lambda s: s["prototypes"],
        fields=("title", "slug", "description", "created"),
        refs={"service": "services", "workshop": "workshop"}, many={"offices": "offices", "ideas": "ideas"},
    ),
    ModelSection(
        "versions", PrototypeVersion, _versions,
        fields=("number", "published", "notes", "feedback_public", "created"),
        refs={"prototype": "prototypes"}, users=("created_by",),
    ),
    ModelSection(
        "screens", Screen, lambda s: Screen.objects.filter(version__in=s["versions"]),
        fields=("title", "sort_order"), refs={"version": "versions", "image": "images"},
    ),
    ModelSection(
        "hotspots", Hotspot, lambda s: Hotspot.objects.filter(screen__version__in=s["versions"]),
        fields=("x", "y", "w", "h", "target_url", "back", "label"),
        refs={"screen": "screens", "target_screen": "screens"},
    ),
    ServiceMapSection(
        "service_maps", ServiceMap, lambda s: ServiceMap.objects.filter(service__in=s["services"]),
        fields=("kind", "title", "description", "sort_order"), refs={"service": "services"},
    ),
    ModelSection(
        "map_steps", MapStep, lambda s: MapStep.objects.filter(map__service__in=s["services"]),
        fields=("title", "actor", "channel", "documents", "duration_days", "removed", "sort_order"),
        refs={"map": "service_maps"}, many={"replaces": "map_steps"},
    ),
    ModelSection(
        "feedback", Feedback, lambda s: s["feedback"],
        fields=("x", "y", "text", "rating", "author_role", "status", "reply", "replied_at", "content_id",
                "created", "modified"),
        refs={"version": "versions", "screen": "screens"}, users=("creator", "replied_by"),
    ),
    ModelSection(
        "test_tasks", TestTask, lambda s: TestTask.objects.filter(version__in=s["versions"]),
        fields=("instruction", "active", "created", "modified"),
        refs={"version": "versions", "start_screen": "screens"}, many={"goal_screens": "screens"},
        id_lists={"expected_path": "screens"},
    ),
    ModelSection(
        "task_runs", TaskRun, lambda s: TaskRun.objects.filter(task__version__in=s["versions"]),
        fields=("started_at", "ended_at", "outcome"), refs={"task": "test_tasks", "current_screen": "screens"},
    ),
    ModelSection(
        "taps", Tap, lambda s: Tap.objects.filter(run__task__version__in=s["versions"]),
        fields=("x", "y", "hit", "ms_since_start", "created"),
        refs={"run": "task_runs", "screen": "screens", "led_to": "screens"},
    ),
    ModelSection(
        "action_plans", ActionPlan, lambda s: s["plans"],
        fields=("title", "description", "published", "created", "modified"),
        refs={"office": "offices", "workshop": "workshop"},
    ),
    ModelSection(
        "action_items", ActionItem, lambda s: s["items"],
        fields=("title", "description", "owner_name", "owner_institution", "start", "due", "status", "progress",
                "priority", "weight", "sort_order", "revision", "created", "modified"),
        refs={"plan": "action_plans"}, users=("owner_user",),
        many={"ideas": "ideas", "prototype_versions": "versions", "feedback": "feedback"},
    ),
    ModelSection(
        "milestones", Milestone, lambda s: Milestone.objects.filter(item__in=s["items"]),
        fields=("title", "due", "done", "sort_order"), refs={"item": "action_items"},
    ),
    ModelSection(
        "item_updates", ItemUpdate, lambda s: ItemUpdate.objects.filter(item__in=s["items"]),
        fields=("created", "changes", "note"), refs={"item": "action_items"}, users=("user",),
    ),
)


# --- the page tree an import needs --------------------------------------------------------------


def home_ensure() -> Page:
    """The site's home page; on a site with no page tree yet, a minimal one as the default site."""
    home = HomePage.objects.first()
    if home is not None:
        return home
    root = wagtail_roots_ensure()
    welcome = root.get_children().filter(slug="home").first()
    if welcome is not None:
        welcome.delete()  # Wagtail's placeholder page
    home = HomePage(title="Atelier", slug="home")
    root.add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Atelier")
    else:
        Site.objects.filter(pk=site.pk).update(root_page=home)
    return home


def _index_ensure(model, *, title: str, slug: str) -> Page:
    index = model.objects.first()
    if index is None:
        home = home_ensure()
        index = model(title=title, slug=slug)
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def workshop_index_ensure() -> WorkshopIndexPage:
    return _index_ensure(WorkshopIndexPage, title="Ateliere", slug="ateliere")


def office_index_ensure() -> OfficeIndexPage:
    return _index_ensure(OfficeIndexPage, title="Birouri BCIS", slug="birouri")


# --- the two operations -------------------------------------------------------------------------


def workshop_export(*, workshop: WorkshopPage, sections: Iterable[ModelSection] = SECTIONS) -> dict:
    """The workshop and everything that belongs to it, as one JSON-ready document."""
    ctx = ExportContext(workshop=workshop, scope=workshop_scope(workshop))
    document = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": timezone.now().astimezone(dt.UTC).isoformat(),
    }
    for section in sections:
        document[section.name] = section.dump(ctx)
    return document


@dataclass
class ImportReport:
    workshop: WorkshopPage
    counts: dict[str, int]
    missing_users: list[str]


@transaction.atomic
def workshop_import(*, document, sections: Iterable[ModelSection] = SECTIONS) -> ImportReport:
    """Create the workshop of an export on this site, all or nothing.

    Refuses (TransferRefused, nothing written) a file that is not an export of a known version,
    a join code or workshop slug already in use, a prototype slug or content id already present.
    """
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise TransferRefused("This file is not an Atelier workshop export.")
    if document.get("version") != FORMAT_VERSION:
        raise TransferRefused(
            f"This export has format version {document.get('version')!r}; this site reads version {FORMAT_VERSION}."
        )
    _refuse_duplicates(document)
    ctx = ImportContext(document=document)
    try:
        for section in sections:
            rows = document.get(section.name) or []
            if not isinstance(rows, list) or not all(isinstance(row, dict) and "ref" in row for row in rows):
                raise TransferRefused(f"The section {section.name!r} is not a list of rows.")
            section.load(ctx, rows)
        for link in ctx.later:
            link()
        for model, pk, stamps in ctx.timestamps:
            model.objects.filter(pk=pk).update(**stamps)
    except TransferRefused:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, ValidationError) as exc:
        raise TransferRefused(f"The file is not a valid workshop export ({type(exc).__name__}: {exc}).") from exc
    except IntegrityError as exc:
        raise TransferRefused(f"The file does not fit this site's rules ({exc}); nothing was imported.") from exc
    return ImportReport(
        workshop=next(iter(ctx.objects["workshop"].values())),
        counts=ctx.counts,
        missing_users=sorted(ctx.missing_users),
    )


def _refuse_duplicates(document: dict) -> None:
    def values(section: str, key: str) -> list:
        rows = document.get(section) or []
        return [row.get(key) for row in rows if isinstance(row, dict) and row.get(key)]

    for code in values("workshop", "join_code"):
        if WorkshopPage.objects.filter(join_code=code).exists():
            raise TransferRefused(
                f"A workshop with the join code {code} already exists on this site; nothing was imported."
            )
    taken = Prototype.objects.filter(slug__in=values("prototypes", "slug")).values_list("slug", flat=True)
    if taken:
        raise TransferRefused(f"Prototypes with these slugs already exist: {', '.join(sorted(taken))}; nothing was imported.")
    for section, model in (("ideas", Idea), ("feedback", Feedback)):
        ids = values(section, "content_id")
        try:
            clash = ids and model.objects.filter(content_id__in=ids).exists()
        except Exception:  # noqa: BLE001 - not UUIDs: reported as an invalid file below
            raise TransferRefused(f"The section {section!r} holds content ids that are not UUIDs.") from None
        if clash:
            raise TransferRefused(
                f"Some {section} of this file are already on this site (same content id): "
                "was it imported before? Nothing was imported."
            )
