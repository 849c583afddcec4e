"""The live workshop's pages: join, the participant's phone screen, the presenter screen,
results and their downloads. Thin: rules in `ideas.rules`, changes in `ideas.services`."""

import functools
import hashlib
import io
import re
import secrets
from contextlib import suppress

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from wagtail import hooks

from workshop_site.core.client_ip import request_client_ip
from workshop_site.core.errors import DomainError, Forbidden, Invalid, NotFound
from workshop_site.core.exports import csv_response, xlsx_response
from workshop_site.core.ratelimit import CACHE_ERRORS
from workshop_site.workshops.models import Phase, WorkshopPage

from . import exports, join_page, phone, selectors, services, throttle
from .errors import NotJoined
from .forms import (
    CodeForm,
    JoinForm,
    ProxyDotsForm,
    ProxyIdeaForm,
    ProxyParticipantForm,
    phone_anchor,
    phone_messages,
)
from .kinds import KINDS, message_types
from .kinds.base import group_names, percent
from .models import (
    ActivityKind,
    Idea,
    Participant,
    ParticipantRole,
    TallyLine,
    TallySheet,
    Vote,
    WorkshopHelper,
)
from .rules import can_see_results, phase_allows, tallies_visible_to_participants
from .sessions import participant_id_for, remember_participant, results_viewer
from .throttle import LookupsBlocked


def too_many_lookups(request):
    response = render(request, "ideas/join.html", {"form": CodeForm(), "blocked": True}, status=429)
    response["Retry-After"] = str(throttle.retry_after_seconds())
    return response


def live_workshop_view(view=None, *, canonical_code: bool = False):
    """Every `/w/<code>/…` page: the view gets the live workshop for `code` instead of the code
    (unknown codes count towards the guessing limit), and a refusal of the services that the
    view does not answer itself is answered here, the same way on every page: not found → 404,
    forbidden → 403, too many guesses → the join form with 429, anything else → its message
    with its status. `canonical_code`: a code typed in another case (or 0/O, 1/I) is
    redirected to the workshop's own."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, code: str, *args, **kwargs):
            try:
                workshop = throttle.workshop_for_code(code, request_client_ip(request))
                if canonical_code and workshop.join_code != code:
                    return redirect(request.path.replace(f"/w/{code}/", f"/w/{workshop.join_code}/", 1))
                return view(request, workshop, *args, **kwargs)
            except LookupsBlocked:
                return too_many_lookups(request)
            except NotFound as missing:
                raise Http404(missing.message) from None
            except Forbidden:
                raise PermissionDenied from None
            except DomainError as refusal:
                return render(request, "ideas/refused.html", {"message": refusal.message}, status=refusal.status)

        return wrapper

    return decorate(view) if view is not None else decorate


def join_url(request, workshop: WorkshopPage) -> str:
    return request.build_absolute_uri(f"/w/{workshop.join_code}/")


def live_context(request, workshop: WorkshopPage, *, is_facilitator: bool) -> dict:
    participant_id = participant_id_for(request.session, workshop.pk)
    state = selectors.snapshot(workshop, participant_id=participant_id, sees_tallies=is_facilitator)
    state.update(type="snapshot", seq=0, online=None)
    me = state["me"]
    return {
        "workshop": workshop,
        # The phone's dots, free or placed, drawn in the HTML as participant.js draws them.
        "my_dots": [n < (me["dots_left"] or 0) for n in range(state["workshop"]["dots_per_participant"])]
        if me["participant"] is not None else [],
        "ws_path": f"/ws/workshops/{workshop.join_code}/",
        "initial_state": state,
        "suggested_tags": sorted(t.name for t in workshop.suggested_tags.all()),
        "join_url": join_url(request, workshop),
        "is_facilitator": is_facilitator,
        # The phone's table, drawn in the HTML as participant.js draws it ("" at no table).
        "my_table": next((t["name"] for t in state["tables"] if t["slug"] == me["table"]), ""),
    }


@require_http_methods(["GET", "POST"])
def join(request):
    """`/join/`: type a code, go to the workshop."""
    data = request.POST if request.method == "POST" else (request.GET if "code" in request.GET else None)
    form = CodeForm(data)
    if data is not None and form.is_valid():
        try:
            workshop = throttle.workshop_for_code(form.cleaned_data["code"], request_client_ip(request))
        except LookupsBlocked:
            return too_many_lookups(request)
        except NotFound:
            form.add_error("code", _("No workshop has this code. Check it and try again."))
        else:
            return redirect(f"/w/{workshop.join_code}/")
    return render(request, "ideas/join.html", {"form": form}, status=400 if form.is_bound and form.errors else 200)


@require_GET
def service_worker(request):
    """`/w/sw.js`: the service worker that keeps the participant page and its files for a phone
    that loses the network (issue #19; offline.js registers it for the scope `/w/`). Its cache
    is named after the static files' manifest, so a deploy that changes them replaces it;
    `no-cache` makes the browser check for that version on every visit."""
    response = HttpResponse(
        render_to_string("ideas/service_worker.js", {
            "version": getattr(staticfiles_storage, "manifest_hash", "") or "dev",
            "static_url": staticfiles_storage.base_url,
        }),
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/w/"
    response["Cache-Control"] = "no-cache"
    return response


@require_http_methods(["GET", "POST"])
@live_workshop_view(canonical_code=True)
def participant(request, workshop: WorkshopPage):
    """`/w/<code>/`: the join form, then (same URL) the participant's screen, whole in its HTML:
    its forms post here too (`participant_action`), for a phone without JavaScript."""
    is_facilitator = request.user.has_perm("ideas.run_workshop", workshop)
    if request.method == "POST" and "action" in request.POST:
        return participant_action(request, workshop)
    if participant_id_for(request.session, workshop.pk) is not None:
        context = live_context(request, workshop, is_facilitator=is_facilitator)
        context.update(phone.screen(context["initial_state"], list(messages.get_messages(request))),
                       form_ref=secrets.token_urlsafe(9))
        return render(request, "ideas/participant.html", context)
    tables = selectors.table_choices(workshop.pk)
    form = JoinForm(request.POST if request.method == "POST" else None, tables=tables)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                joined = services.participant_join(
                    workshop=workshop, display_name=form.cleaned_data["display_name"],
                    role=form.cleaned_data["role"], user=request.user, table=form.cleaned_data.get("table"),
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                remember_participant(request.session, joined)
                return redirect(f"/w/{workshop.join_code}/")
        status = 400
    rules = selectors.joining_rules(workshop.pk)
    context = {"workshop": workshop, "form": form, "joinable": rules is not None and rules.open}
    if status == 200 and join_page.first_visit(request):
        return join_page.join_page(request, context, shows=(
            context["joinable"], tables, workshop.title_for_reader, workshop.phase, workshop.live,
            workshop.search_description, workshop.introduction, workshop.last_published_at,
        ))
    return render(request, join_page.TEMPLATE, context, status=status)


# A form's `ref` (one per page drawn): with its action and anchor, the ref of its write.
FORM_REF = re.compile(r"[\w-]{1,16}", re.ASCII)


def participant_action(request, workshop: WorkshopPage):
    """A form of the participant's screen (a phone without JavaScript, or before its script
    runs): the write its socket message makes, through the same service, at most once per
    form drawn (`services.write_once`, as a socket's `ref`), then back to the screen
    (post/redirect/get) with what happened, or the refusal's message, by the element the form
    is about. A refusal changes nothing."""
    action, anchor = request.POST.get("action"), phone_anchor(request.POST)
    ref = request.POST.get("ref", "")
    try:
        sent = phone_messages(request.POST)
        participant_id = participant_id_for(request.session, workshop.pk)
        if participant_id is None:
            raise NotJoined()
        answers = services.write_once(
            participant_id=participant_id, ref=f"{ref}:{anchor}:{action}" if FORM_REF.fullmatch(ref) else None,
            message={"type": action, "messages": sent},
            perform=lambda: {"answers": [_phone_write(participant_id, message) for message in sent]},
        )["answers"]
    except DomainError as refusal:
        messages.error(request, refusal.message, extra_tags=anchor)
    else:
        messages.success(request, _phone_said(action, answers), extra_tags=anchor)
    return redirect_303(f"/w/{workshop.join_code}/" + (f"#{anchor}" if anchor else ""))


def redirect_303(url: str) -> HttpResponse:
    response = redirect(url)
    response.status_code = 303  # See Other: the answer to a POST is read with a GET
    return response


def _phone_write(participant_id: int, message: dict) -> dict:
    """One message of a phone's form, through the service the socket's message goes to
    (`consumers.LiveConsumer`'s handler of that type), with the fields of its ack."""
    if message["type"] == "idea.post":
        idea = services.idea_create(participant_id=participant_id, text=message["text"], tags=message["tags"],
                                    activity=message["activity"])
        return {"idea": selectors.idea_payload(idea, tag_names=sorted(idea.tags.names()), votes=0)}
    if message["type"] in ("vote.cast", "vote.retract"):
        dot = services.vote_cast if message["type"] == "vote.cast" else services.vote_retract
        return {"idea": message["idea"], "dots_left": dot(participant_id=participant_id, idea_id=message["idea"])}
    spec = message_types()[message["type"]]  # forms.phone_messages names only a participant's
    return spec.perform(participant_id, message)


def _phone_said(action: str, answers: list[dict]) -> str:
    """What the screen says after a phone's form was stored (a replayed one alike)."""
    if action == "idea.post":
        return _("Idea posted. Thank you!")
    if action == "vote.cast":
        return _("One dot placed; dots left: %(left)d.") % {"left": answers[0]["dots_left"]}
    if action == "vote.retract":
        return _("One dot taken back; dots left: %(left)d.") % {"left": answers[0]["dots_left"]}
    if action == "poll.answer":
        return _("Answer saved. You can change it while the poll is open.")
    if action == "scale.rate":
        return ngettext("%(n)d rating saved.", "%(n)d ratings saved.", len(answers)) % {"n": len(answers)}
    return _("You already gave this word.") if answers[0].get("already") else _("Word added.")


@live_workshop_view
def presenter(request, workshop: WorkshopPage):
    """`/w/<code>/present/`: the wall screen; facilitator controls when one is logged in."""
    is_facilitator = request.user.has_perm("ideas.run_workshop", workshop)
    context = live_context(request, workshop, is_facilitator=is_facilitator)
    context["qr_svg"] = qr_svg_markup(context["join_url"])
    return render(request, "ideas/presenter.html", context)


@live_workshop_view
def screen(request, workshop: WorkshopPage):
    """`/w/<code>/screen/`: what the wall shows, for anyone: the current activity in large
    type, the join code and QR, the countdown; no controls. A public screen: blind results
    stay hidden until revealed, whoever is logged in on the projector's browser."""
    context = live_context(request, workshop, is_facilitator=False)
    context["qr_svg"] = qr_svg_markup(context["join_url"])
    return render(request, "ideas/screen.html", context)


QR_STYLE = {"scale": 8, "border": 2, "dark": "#1b1f24", "light": "#ffffff"}


def qr_svg_markup(url: str):
    qr = segno.make(url, error="m")
    # segno escapes nothing user-typed here: the URL is built from the validated join code.
    return mark_safe(qr.svg_inline(omitsize=True, **QR_STYLE))  # noqa: S308


@live_workshop_view
def qr_svg(request, workshop: WorkshopPage):
    """`/w/<code>/qr.svg`: the join QR for printing. A file of its own, unlike the markup inlined
    in HTML, needs the XML declaration and the SVG namespace: without them a browser shows it
    as unknown XML and an `<img>` shows nothing. The viewBox lets it scale to any size."""
    out = io.BytesIO()
    qr = segno.make(join_url(request, workshop), error="m")
    qr.save(out, kind="svg", xmldecl=True, svgns=True, omitsize=True, **QR_STYLE)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="atelier-{workshop.join_code}.svg"'
    return response


@live_workshop_view
def results(request, workshop: WorkshopPage):
    """`/w/<code>/results/`: every activity's results in run-of-show order, each of everyone
    and by role, with where citizens and providers disagree; the brainstorm's as the ranking,
    by tag and by the voters' role. A workshop without activities shows its ranking alone."""
    sees_all = request.user.has_perm("ideas.run_workshop", workshop)
    seat = results_viewer(request, workshop, sees_all=sees_all)
    activities = selectors.activities_results(workshop, sees_all=sees_all, viewer=seat)
    if not sees_all and selectors.blind_voting_hides(workshop, activities):
        return render(request, "ideas/results_hidden.html", {"workshop": workshop}, status=403)
    data = selectors.results(workshop, viewer=seat)
    items = action_items_for(request.user, [row["id"] for row in data["ideas"]])
    rows = [{**row, "author_role": row["author_role_label"], "action_items": items.get(row["id"], [])}
            for row in data["ideas"]]
    action_plans = editable_plans_for(request.user, workshop)
    shown = [
        activity_display(request, workshop, activity, number, rows, action_plans)
        for number, activity in enumerate(activities, start=1)
    ]
    # The first ranking on the page is `#results-table` and shows the workshop's paper sheets,
    # votes by tag and by role under it.
    rankings = [activity for activity in shown if "ranking_rows" in activity]
    for n, activity in enumerate(rankings):
        activity.update(table_id="results-table" if n == 0 else f"results-table-{activity['id']}", with_summary=n == 0)
    brainstorms = {activity["id"] for activity in activities if activity["kind"] == ActivityKind.BRAINSTORM}
    # Ideas outside any brainstorm (a workshop without activities: all of them) are ranked alone.
    loose = with_widths([row for row in rows if row["activity"] not in brainstorms])
    by_table = table_rankings(request, workshop, data["tables"], rows, every_table=seat is None)
    by_id = {row["id"]: row for row in rows}
    themes = with_widths([{**theme, "rows": [by_id[pk] for pk in theme["ideas"] if pk in by_id]}
                          for theme in data["themes"]])
    return render(request, "ideas/results.html", {
        "workshop": workshop,
        "results": rows,
        "themes": themes,
        **by_table,
        "activities": shown,
        "loose_ranking": ranking_rows(request, workshop, loose, action_plans) if loose or not activities else None,
        "loose_table_id": "results-table-other" if rankings else "results-table",
        "loose_with_summary": not rankings,
        "loose_level": 3 if activities else 2,
        "by_tag": with_widths(data["by_tag"]),
        "by_role": with_widths([{**row, "role": row["role_label"]} for row in data["by_role"]]),
        "total_votes": data["total_votes"],
        "participants_count": data["participants"],
        "can_export": request.user.has_perm("ideas.view_results_export", workshop),
        "action_plans": action_plans,
        "tallies_visible": tallies_visible_to_participants(selectors.board(workshop.pk)),
        "votes_by_channel": data["votes_by_channel"],
        "proxy_participants": data["proxy_participants"],
        "tally_sheets": selectors.tally_sheets(workshop.pk),
    })


# The app that keeps action plans adds its "send the top ideas to the office's plan" under each
# table's ranking: each hook function is called as `fn(request, workshop, table)` (a table of
# `selectors.results`' `tables`: id, slug, name, office id) and returns a
# `workshop_site.core.sections.Section` or None.
RESULTS_TABLE_ACTIONS = "atelier_results_table_actions"


def table_rankings(request, workshop: WorkshopPage, tables: list[dict], rows: list[dict], *,
                   every_table: bool) -> dict:
    """The results by table (a workshop without tables has no such section): each table's
    ideas ranked among themselves (`table_rank`, ties sharing one) with what other apps add
    under it, then the ideas posted at no table. Tables with no idea yet are named apart, to
    a facilitator only (`every_table`): others may not see every table's ideas now."""
    if not tables:
        return {"table_anchors": []}
    mine: dict[str | None, list[dict]] = {}
    for row in rows:
        mine.setdefault(row["table"], []).append(row)

    def ranked(of_table: list[dict]) -> list[dict]:
        found, rank, previous = [], 0, None
        for position, row in enumerate(with_widths(of_table), start=1):
            if row["votes"] != previous:
                rank, previous = position, row["votes"]
            found.append({**row, "table_rank": rank})
        return found

    shown = []
    for table in tables:
        if table["slug"] not in mine:
            continue
        sections = [section for contribute in hooks.get_hooks(RESULTS_TABLE_ACTIONS)
                    if (section := contribute(request, workshop, table)) is not None]
        shown.append({
            **table, "rows": ranked(mine[table["slug"]]),
            "actions": [render_to_string(section.template, {**section.context, "workshop": workshop, "table": table},
                                         request=request) for section in sections],
            "stylesheets": [href for section in sections for href in section.stylesheets],
        })
    return {
        "table_rankings": shown,
        # A message tagged with a table's anchor (plans' "sent to the plan") shows in its section.
        "table_anchors": [f"table-{table['slug']}" for table in shown],
        "no_table_ranking": ranked(mine[None]) if None in mine else None,
        "tables_without_ideas": [table["name"] for table in tables if table["slug"] not in mine] if every_table else [],
        "table_stylesheets": list(dict.fromkeys(href for table in shown for href in table.pop("stylesheets"))),
    }


def with_widths(rows: list[dict]) -> list[dict]:
    """Rows with `votes`, each with its bar's width in whole percent of the most voted."""
    most = max((row["votes"] for row in rows), default=0)
    return [{**row, "width": percent(row["votes"], most)} for row in rows]


# Always shown beside each other, answered or not: what a reengineering team compares.
COMPARED_ROLES = (ParticipantRole.CITIZEN, ParticipantRole.PROVIDER, ParticipantRole.OFFICE_STAFF)


def activity_display(request, workshop, activity: dict, number: int, rows: list[dict], action_plans: list) -> dict:
    """One activity of `selectors.activities_results` as the results page shows it: its
    kind's template and chart, everyone's figures, then each role's (citizens, providers and
    office staff always; others when they answered), the disagreements in sentences and, for a
    brainstorm, its ideas' rows of the ranking table."""
    kind = KINDS[activity["kind"]]
    shown = {
        **activity, "number": number, "template": kind.templates.get("results"),
        "kind_label": ActivityKind(activity["kind"]).label, "phase_label": Phase(activity["phase"]).label,
    }
    if activity["hidden"]:
        return shown
    shown["everyone"] = kind.chart(activity["results"])
    headings = group_names()
    shown["roles"] = [
        {"role": role, "heading": headings.get(role, role), "figures": kind.chart(figures)}
        for role, figures in activity["by_role"].items()
        if role in COMPARED_ROLES or figures.get("respondents") or figures.get("voters")
    ]
    shown["disagreement_texts"] = [kind.disagreement_text(item) for item in activity["disagreements"]]
    if activity["kind"] == ActivityKind.BRAINSTORM:
        mine = with_widths([row for row in rows if row["activity"] == activity["id"]])
        shown["ranking"] = mine
        shown["ranking_rows"] = ranking_rows(request, workshop, mine, action_plans, part=activity["id"])
    return shown


RANKING_ROWS_SECONDS = 300


def ranking_rows(request, workshop: WorkshopPage, rows: list[dict], action_plans: list, part: int = 0) -> str:
    """The ranking table's rows (`includes/results_rows.html`). Hundreds of rows of template
    cost more than all the page's queries, so the rendering is kept in the cache, one per
    workshop, language and time zone, labelled with a digest of the rows it shows (and of the
    template): any change to a row (a vote, a hidden or merged idea, an edit, a tag, a paper
    sheet) gives a new digest and a fresh rendering, in every process, with nothing to
    invalidate; `part` names which ranking of the page (a brainstorm's id, 0 for the ideas
    outside any). Rows with the one-click action-plan forms carry the viewer's CSRF token and
    are never cached."""
    template = get_template("ideas/includes/results_rows.html")
    if action_plans:
        return template.render({"results": rows, "action_plans": action_plans}, request)
    key = f"ideas:results-rows:{workshop.pk}:{part}:{get_language()}:{timezone.get_current_timezone_name()}"
    digest = hashlib.blake2b(repr((template.template.source, rows)).encode(), digest_size=16).hexdigest()
    cached = None
    with suppress(*CACHE_ERRORS):  # the cache is down: the rows are rendered each time
        cached = cache.get(key)
    if cached is not None and cached[0] == digest:
        return mark_safe(cached[1])  # noqa: S308 (our own rendering, escaped when made)
    html = template.render({"results": rows}, request)
    with suppress(*CACHE_ERRORS):
        cache.set(key, (digest, str(html)), RANKING_ROWS_SECONDS)
    return html


# The app that keeps action plans offers them here (ideas knows no app above it): each hook
# function is called as `fn(user, workshop)` and returns plans this user may add items to.
RESULTS_ACTION_PLANS = "atelier_results_action_plans"


def editable_plans_for(user, workshop) -> list:
    """The plans the one-click "add to an action plan" button of the results offers."""
    if not user.is_authenticated:
        return []
    return [plan for offer in hooks.get_hooks(RESULTS_ACTION_PLANS) for plan in offer(user, workshop)]


# The same app names the items made of each idea that this user may read, so the ranking links
# an idea to them: each function is called as `fn(user, idea_ids)` and returns, by idea id, a
# list of {"office", "actions": [{"title", "url"}]}.
IDEA_ACTION_ITEMS = "atelier_idea_action_items"


def action_items_for(user, idea_ids: list[int]) -> dict[int, list]:
    found: dict[int, list] = {}
    for contribute in hooks.get_hooks(IDEA_ACTION_ITEMS):
        for idea_id, groups in contribute(user, idea_ids).items():
            found.setdefault(idea_id, []).extend(groups)
    return found


@live_workshop_view
def results_csv(request, workshop: WorkshopPage):
    sees_all = request.user.has_perm("ideas.run_workshop", workshop)
    seat = results_viewer(request, workshop, sees_all=sees_all)
    activities = selectors.activities_results(workshop, sees_all=sees_all, viewer=seat)
    if not sees_all and selectors.blind_voting_hides(workshop, activities):
        raise PermissionDenied
    return csv_response(exports.results_csv_rows(workshop, activities, viewer=seat),
                        f"atelier-{workshop.join_code}-results.csv")


@login_required
@live_workshop_view
def results_xlsx(request, workshop: WorkshopPage):
    if not request.user.has_perm("ideas.view_results_export", workshop):
        raise PermissionDenied
    return xlsx_response(exports.results_xlsx(workshop), f"atelier-{workshop.join_code}-results.xlsx")


# --- assisted and paper participation: the helper's screens and the printables -------------

def _require_assistant(request, workshop: WorkshopPage) -> None:
    if not request.user.has_perm("ideas.assist_workshop", workshop):
        raise PermissionDenied


def _visible_ideas_numbered(workshop: WorkshopPage, board: selectors.Board) -> list[dict]:
    """The visible ideas of the room's brainstorm, with their numbers (of the whole workshop)."""
    numbers = selectors.idea_numbers(workshop.pk)
    tags = selectors.tags_by_idea(list(numbers))
    return [
        {"id": idea.pk, "number": numbers[idea.pk], "text": idea.text, "tags": tags[idea.pk]}
        for idea in Idea.objects.filter(workshop=workshop, hidden=False).order_by("created", "pk")
        if board.holds(idea.activity_id)
    ]


def _ideas_by_number(ideas: list[dict], numbers: list[int]) -> list[int]:
    by_number = {idea["number"]: idea["id"] for idea in ideas}
    missing = sorted({n for n in numbers if n not in by_number})
    if missing:
        raise Invalid(
            _("There is no visible idea with the number %(numbers)s.") % {"numbers": ", ".join(map(str, missing))}
        )
    return [by_number[n] for n in numbers]


@login_required
@require_http_methods(["GET", "POST"])
@live_workshop_view
def assist(request, workshop: WorkshopPage):
    """`/w/<code>/assist/`: a helper adds people without a phone, then types their ideas and
    dots, keyboard first; and moves anyone of the room to another table. Every change goes
    through the same services as a phone."""
    _require_assistant(request, workshop)
    people = list(Participant.objects.filter(workshop=workshop, is_proxy=True).select_related("entered_by", "table"))
    selected = next((p for p in people if str(p.pk) == (request.POST.get("participant") or request.GET.get("p"))), None)
    board = selectors.board(workshop.pk)
    ideas = _visible_ideas_numbered(workshop, board)
    add_form, idea_form, dots_form = ProxyParticipantForm(), ProxyIdeaForm(), ProxyDotsForm()
    error, status = None, 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                add_form = ProxyParticipantForm(request.POST)
                if add_form.is_valid():
                    added = services.participant_join(
                        workshop=workshop, display_name=add_form.cleaned_data["display_name"],
                        role=add_form.cleaned_data["role"], entered_by=request.user,
                    )
                    messages.success(request, _("%(name)s added, with %(dots)d dots.")
                                     % {"name": added.display_name, "dots": board.dots})
                    return redirect(f"{request.path}?p={added.pk}")
            elif action == "move":  # anyone of the room, with a phone or without
                moved = services.participant_move(user=request.user, workshop_id=workshop.pk,
                                                  participant_id=request.POST.get("participant"),
                                                  table=request.POST.get("table") or None)
                messages.success(request, _("%(name)s moved to %(table)s.") % {
                    "name": moved.display_name, "table": moved.table.name} if moved.table else
                    _("%(name)s now sits at no table.") % {"name": moved.display_name})
                return redirect(f"{request.path}?p={selected.pk}" if selected else request.path)
            elif selected is None:
                raise Invalid(_("Choose a participant first."))
            elif action == "idea":
                idea_form = ProxyIdeaForm(request.POST)
                if idea_form.is_valid():
                    services.idea_create(participant_id=selected.pk, text=idea_form.cleaned_data["text"],
                                         entered_by=request.user)
                    messages.success(request, _("Idea posted for %(name)s.") % {"name": selected.display_name})
                    return redirect(f"{request.path}?p={selected.pk}")
            elif action == "dots":
                dots_form = ProxyDotsForm(request.POST)
                if dots_form.is_valid():
                    try:
                        numbers = dots_form.cleaned_numbers()
                    except forms.ValidationError as invalid:
                        raise Invalid(invalid.messages[0]) from None
                    left = services.proxy_dots_cast(entered_by=request.user, participant_id=selected.pk,
                                                    idea_ids=_ideas_by_number(ideas, numbers))
                    messages.success(request, _("Dots placed for %(name)s; dots left: %(left)d.")
                                     % {"name": selected.display_name, "left": left})
                    return redirect(f"{request.path}?p={selected.pk}")
            elif action == "retract":
                left = services.vote_retract(participant_id=selected.pk, idea_id=request.POST.get("idea"),
                                             entered_by=request.user)
                messages.success(request, _("One dot taken back; dots left: %(left)d.") % {"left": left})
                return redirect(f"{request.path}?p={selected.pk}")
            else:
                raise Invalid(_("Unknown action."))
        except DomainError as refusal:
            error, status = refusal.message, refusal.status
        else:
            status = 400  # a form with errors
    my_votes: dict[int, int] = {}
    if selected is not None:
        for idea_id in Vote.objects.filter(participant=selected).values_list("idea_id", flat=True):
            my_votes[idea_id] = my_votes.get(idea_id, 0) + 1
    left = selectors.dots_left(board, [person.pk for person in people])
    for person in people:  # in the room's brainstorm
        person.dots_on_board = left[person.pk]
    return render(request, "ideas/assist.html", {
        "workshop": workshop,
        "board": board,
        "people": people,
        "selected": selected,
        "ideas": [{**idea, "my_dots": my_votes.get(idea["id"], 0)} for idea in ideas],
        "add_form": add_form, "idea_form": idea_form, "dots_form": dots_form,
        "error": error,
        "is_facilitator": request.user.has_perm("ideas.run_workshop", workshop),
        "helpers": WorkshopHelper.objects.filter(workshop=workshop).select_related("user", "granted_by"),
        "staff": _staff_users(),
        **_seating(workshop),
    }, status=status)


def _seating(workshop: WorkshopPage) -> dict:
    """The room's tables as (slug, name), and everyone of the room with their table (nobody
    when the room has no tables), people at no table first."""
    tables = selectors.table_choices(workshop.pk)
    seated = Participant.objects.filter(workshop=workshop).select_related("table").order_by(
        F("table__position").asc(nulls_first=True), "table__pk", "display_name", "pk") if tables else []
    return {"tables": tables, "seating": seated}


def _staff_users():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True, groups__isnull=False).distinct().order_by("username")


@login_required
@require_http_methods(["POST"])
@live_workshop_view
def assist_helpers(request, workshop: WorkshopPage):
    """Facilitators grant or take back the helper role of this workshop."""
    try:
        if request.POST.get("action") == "revoke":
            services.helper_revoke(user=request.user, workshop=workshop, helper_id=request.POST.get("user"))
            messages.success(request, _("Helper role taken back."))
        else:
            helper = _staff_users().filter(pk=_int_or_none(request.POST.get("user"))).first()
            grant = services.helper_grant(user=request.user, workshop=workshop, helper=helper)
            messages.success(request, _("%(name)s can now help in this workshop.") % {"name": grant.user})
    except DomainError as refusal:
        if refusal.status == 403:
            raise PermissionDenied from None
        messages.error(request, refusal.message)
    return redirect(f"/w/{workshop.join_code}/assist/")


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
@live_workshop_view
def tally(request, workshop: WorkshopPage):
    """`/w/<code>/tally/`: type the sticker dots counted on a paper poster, once per round; a
    mistake is fixed with a visible correction."""
    _require_assistant(request, workshop)
    board = selectors.board(workshop.pk)
    ideas = _visible_ideas_numbered(workshop, board)
    sheets = selectors.tally_sheets(workshop.pk)
    data = request.POST if request.method == "POST" else None
    corrects = _int_or_none(request.GET.get("corrects"))  # the form posts back to its own URL
    corrected = next((s for s in sheets if s["id"] == corrects and s["current"]), None)
    prefill: dict[int, int] = {}
    if corrected is not None:
        prefill = dict(TallyLine.objects.filter(sheet_id=corrected["id"]).values_list("idea_id", "dots"))
    submitted_rounds = {s["round"] for s in sheets}
    next_round = next(n for n in range(1, TallySheet.MAX_ROUND + 2) if n not in submitted_rounds)
    values = {
        "round": (data or {}).get("round", corrected["round"] if corrected else (1 if 1 not in submitted_rounds else next_round)),
        "voters": (data or {}).get("voters", corrected["voters"] if corrected else ""),
        "note": (data or {}).get("note", ""),
    }
    error, status = None, 200
    if data is not None:
        counts = {idea["id"]: (data.get(f"idea-{idea['id']}") or "0").strip() for idea in ideas}
        try:
            sheet = services.paper_tally_submit(
                user=request.user, workshop_id=workshop.pk, voters=data.get("voters", ""), counts=counts,
                round_number=data.get("round", 1), corrects_id=corrected["id"] if corrected else None,
                note=data.get("note", ""),
            )
        except DomainError as refusal:
            error, status = refusal.message, refusal.status
        else:
            messages.success(request, _("Paper tally saved: round %(round)d.") % {"round": sheet.round})
            return redirect(f"/w/{workshop.join_code}/tally/")
    rows = [
        {**idea, "value": (data.get(f"idea-{idea['id']}", "") if data is not None else prefill.get(idea["id"], ""))}
        for idea in ideas
    ]
    return render(request, "ideas/tally.html", {
        "workshop": workshop, "ideas": rows, "sheets": sheets, "corrected": corrected, "values": values,
        "error": error, "allowed": phase_allows(board.phase, "paper_tally"), "board": board,
        "per_idea": board.cap or board.dots,
    }, status=status)


def _printable_context(request, workshop: WorkshopPage) -> dict:
    board = selectors.board(workshop.pk)
    return {
        "workshop": workshop,
        "board": board,
        "join_url": join_url(request, workshop),
        "qr_svg": qr_svg_markup(join_url(request, workshop)),
        "ideas": _visible_ideas_numbered(workshop, board),
        "paper_size": "a3" if request.GET.get("size") == "a3" else "a4",
    }


@live_workshop_view
def poster(request, workshop: WorkshopPage):
    """`/w/<code>/poster/`: the ideas, numbered in large type, with room for sticker dots and
    the join QR; A4 by default, `?size=a3` for a wall poster."""
    context = _printable_context(request, workshop)
    return render(request, "ideas/poster.html", context)


@live_workshop_view
def handout(request, workshop: WorkshopPage):
    """`/w/<code>/handout/`: the ideas with their numbers, for people who follow on paper."""
    context = _printable_context(request, workshop)
    return render(request, "ideas/handout.html", context)


SUMMARY_IDEAS = 15


@live_workshop_view
def summary(request, workshop: WorkshopPage):
    """`/w/<code>/summary/`: one page of results for the office's notice board."""
    context = _printable_context(request, workshop)
    if not can_see_results(request.user, workshop, board=selectors.board(workshop.pk)):
        return render(request, "ideas/results_hidden.html", {"workshop": workshop}, status=403)
    seat = results_viewer(request, workshop, sees_all=request.user.has_perm("ideas.run_workshop", workshop))
    data = selectors.results(workshop, viewer=seat)
    context.update(
        results=data["ideas"][:SUMMARY_IDEAS], more=max(0, len(data["ideas"]) - SUMMARY_IDEAS),
        total_votes=data["total_votes"], participants_count=data["participants"],
        proxy_participants=data["proxy_participants"], by_channel=data["votes_by_channel"],
        results_url=request.build_absolute_uri(f"/w/{workshop.join_code}/results/"),
        qr_svg=qr_svg_markup(request.build_absolute_uri(f"/w/{workshop.join_code}/results/")),
    )
    return render(request, "ideas/summary.html", context)
