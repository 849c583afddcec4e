"""The demo (README, "A walk through the demo"): the Moldovan BCIS pilot, built in code.

Idempotent: every object is looked up by a stable key (slug, username, group name) and
created only when missing, so running it twice changes nothing. This module builds the page
tree (offices, services, users, workshops); each app builds its own part in its
`<app>.demo.seed(demo)`, called in `APP_STEPS` order with the `Demo` object that holds what
was built so far. The order is the composition root's to know: apps below know nothing of it.
"""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from feedback import demo as feedback_demo
from ideas import demo as ideas_demo
from plans import demo as plans_demo
from prototypes import demo as prototypes_demo
from workshop_site.core.page_tree import wagtail_roots_ensure
from workshop_site.core.roles import facilitators_group_ensure
from workshop_site.home.models import HomePage
from workshop_site.offices.models import (
    OfficeIndexPage,
    OfficePage,
    OfficeProvider,
    Service,
)
from workshop_site.offices.services import office_team_ensure
from workshop_site.workshops.models import Phase, WorkshopIndexPage, WorkshopPage

# Later steps find what earlier ones built: feedback pins on the prototype, plan items link to
# the kickoff's ideas, the prototype and its feedback.
APP_STEPS = [ideas_demo.seed, prototypes_demo.seed, feedback_demo.seed, plans_demo.seed]
CHISINAU = ZoneInfo("Europe/Chisinau")
DEMO_JOIN_CODE = "DEMO29"


@dataclass
class Demo:
    """What the demo built, for the later steps and for the summary printed at the end."""

    password: str
    home: HomePage | None = None
    offices: dict[str, OfficePage] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    workshops: dict[str, WorkshopPage] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        self.created.append(what)


OFFICES = [
    {
        "slug": "dubasari",
        "title": "BCIS Dubăsari",
        "district": "Dubăsari",
        "address": "s. Cocieri, str. Mihai Eminescu 1, raionul Dubăsari",
        "username": "dubasari",
    },
    {
        "slug": "calarasi",
        "title": "BCIS Călărași",
        "district": "Călărași",
        "address": "or. Călărași, str. Alexandru cel Bun 1",
        "username": "calarasi",
        # Its plan's "portable scanner" item is done (plans/demo.py reads it off this page);
        # the other teams still wait for theirs, and DEMO29 in Rezina asks what to do meanwhile.
        "has_scanner": True,
    },
    {
        "slug": "rezina",
        "title": "BCIS Rezina",
        "district": "Rezina",
        "address": "or. Rezina, str. 27 August 1",
        "username": "rezina",
    },
]


# The mobile team's equipment in each language: the description, what it has, what it lacks
# (and the scanner and printer, which a team has once its plan's item is done).
ROMANIAN_EQUIPMENT = {
    "lacks": "<p>Echipa mobilă vizitează satele săptămânal, dar nu poate livra serviciul pe loc: "
             "nu are scaner și nici acces la registrele electronice.</p>",
    "has": "<p>Echipa mobilă vizitează satele săptămânal și are acum scaner și imprimantă portabilă, "
           "dar încă nu are acces la registrele electronice din teren.</p>",
    "always": ["laptop", "telefon mobil"],
    "scanner": ["scaner", "imprimantă portabilă"],
    "missing": ["acces la registrele electronice", "conexiune mobilă la internet"],
}
RUSSIAN_EQUIPMENT = {
    "lacks": "<p>Мобильная команда еженедельно выезжает в сёла, но не может оказать услугу на месте: "
             "у неё нет сканера и доступа к электронным регистрам.</p>",
    "has": "<p>Мобильная команда еженедельно выезжает в сёла; теперь у неё есть сканер и портативный "
           "принтер, но доступа к электронным регистрам на выезде пока нет.</p>",
    "always": ["ноутбук", "мобильный телефон"],
    "scanner": ["сканер", "портативный принтер"],
    "missing": ["доступ к электронным регистрам", "мобильный интернет"],
}


def mobile_team_equipment(has_scanner: bool, words: dict) -> dict:
    """An office page's description and equipment lists, with or without the scanner."""
    available = words["always"] + (words["scanner"] if has_scanner else [])
    missing = ([] if has_scanner else words["scanner"]) + words["missing"]
    return {
        "description": words["has" if has_scanner else "lacks"],
        "mobile_team_equipment_available": "\n".join(available),
        "mobile_team_equipment_missing": "\n".join(missing),
    }


# The six providers under each pilot office's roof: their sector, then their name and services
# in Romanian and in Russian ({district} is the office's).
PROVIDERS = [
    ("public",
     ("Casa Teritorială de Asigurări Sociale {district}", "pensii, indemnizații, certificate"),
     ("Территориальная касса социального страхования {district}", "пенсии, пособия, справки")),
    ("public",
     ("Direcția Asistență Socială și Protecția Familiei {district}", "ajutor social, compensații, servicii sociale"),
     ("Управление социальной помощи и защиты семьи {district}", "социальная помощь, компенсации, социальные услуги")),
    ("public",
     ("Agenția Națională pentru Ocuparea Forței de Muncă, subdiviziunea {district}", "locuri de muncă, ajutor de șomaj"),
     ("Национальное агентство занятости, подразделение {district}", "вакансии, пособие по безработице")),
    ("public",
     ("Agenția Servicii Publice, ghișeul {district}", "acte de identitate, cadastru, înregistrări"),
     ("Агентство государственных услуг, окно {district}", "удостоверения личности, кадастр, регистрация")),
    ("associative",
     ("Centrul de consultanță juridică comunitară", "consultanță juridică gratuită"),
     ("Общественный центр юридических консультаций", "бесплатные юридические консультации")),
    ("private",
     ("Agenția bancară locală", "plăți, conturi pentru prestații sociale"),
     ("Местное отделение банка", "платежи, счета для социальных выплат")),
]
LANGUAGES = ("ro", "ru")  # the order of the words in PROVIDERS and AGENDAS


def providers_for(district: str, language: str = "ro") -> list[OfficeProvider]:
    """An office's providers, in its page's language."""
    column = 1 + LANGUAGES.index(language)
    return [
        OfficeProvider(name=row[column][0].format(district=district), sector=row[0], services_offered=row[column][1])
        for row in PROVIDERS
    ]


# Each workshop's agenda: start, minutes, method, then title and description in Romanian and in
# Russian.
AGENDAS = {
    "kickoff": [
        (dt.time(10), 30, "presentation",
         ("Cine suntem și de ce suntem aici", ""), ("Кто мы и зачем мы здесь", "")),
        (dt.time(10, 30), 90, "ideas",
         ("Drumul cetățeanului prin BCIS: unde se blochează", "Pe grupe, câte un birou pilot."),
         ("Путь гражданина через СБИУ: где он застревает", "По группам, по одному пилотному бюро.")),
        (dt.time(12), 60, "break", ("Pauză de prânz", ""), ("Обеденный перерыв", "")),
        (dt.time(13), 45, "voting",
         ("Votul cu buline", "Trei buline de persoană."), ("Голосование точками", "По три точки на человека.")),
        (dt.time(13, 45), 120, "planning",
         ("Planul de acțiuni al fiecărui birou", ""), ("План действий каждого бюро", "")),
    ],
    "live": [
        (dt.time(10), 20, "presentation",
         ("Ce știm despre echipa mobilă", ""), ("Что мы знаем о мобильной команде", "")),
        (dt.time(10, 20), 40, "ideas",
         ("Idei: de la telefon", "Intrați cu codul DEMO29."), ("Идеи: с телефона", "Войдите с кодом DEMO29.")),
        (dt.time(11), 20, "voting", ("Vot cu trei buline", ""), ("Голосование тремя точками", "")),
    ],
}


def agenda(workshop: str, language: str = "ro") -> list[tuple[str, dict]]:
    """A workshop's agenda as its StreamField takes it, in its page's language."""
    column = 3 + LANGUAGES.index(language)
    return [
        ("item", {"starts_at": row[0], "duration_minutes": row[1], "method": row[2],
                  "title": row[column][0], "description": row[column][1]})
        for row in AGENDAS[workshop]
    ]


SERVICES = [
    {
        "slug": "indemnizatia-de-maternitate",
        "name": "Indemnizația de maternitate",
        "institution": "Casa Națională de Asigurări Sociale (CNAS)",
        "description": (
            "Indemnizația plătită mamelor asigurate pe durata concediului de maternitate. "
            "Maparea centrată pe utilizator a găsit 26 de pași între cetățean și plata bancară; "
            "6 pași de back-office dublați pe hârtie și electronic au fost eliminați."
        ),
        "tags": ["maternitate", "online", "back-office"],
    },
    {
        "slug": "ajutor-social",
        "name": "Ajutor social",
        "institution": "Direcția Asistență Socială și Protecția Familiei",
        "description": "Prestație bănească pentru familiile cu venituri mici.",
        "tags": ["front-office", "documente"],
    },
    {
        "slug": "certificat-de-pensie",
        "name": "Certificat privind pensia",
        "institution": "Casa Teritorială de Asigurări Sociale",
        "description": "Certificat eliberat pensionarilor, des cerut în sate de echipa mobilă.",
        "tags": ["echipa mobilă", "documente"],
    },
]


def _local(year, month, day, hour=10, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CHISINAU)


def _child(parent: Page, model, slug: str):
    return model.objects.child_of(parent).filter(slug=slug).first()


def _publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def site_ensure(demo: Demo) -> HomePage:
    """The Atelier home page as the default site's root, replacing Wagtail's welcome page."""
    root = wagtail_roots_ensure()
    home = HomePage.objects.filter(locale=Locale.get_default()).first()
    if home is None:
        welcome = root.get_children().filter(slug="home").first()
        if welcome is not None:
            welcome.delete()
        home = HomePage(
            title="Atelier",
            slug="home",
            introduction=(
                "Atelier reunește cetățeni și prestatori de servicii pentru a reproiecta "
                "împreună serviciile publice: idei, vot, prototipuri, testare și planuri de acțiuni."
            ),
            body=(
                "<p>Birourile Comune de Informații și Servicii (BCIS) aduc sub un singur acoperiș "
                "prestatori publici, privați și asociativi. Atelierele pornite în 2016 cu birourile "
                "pilot din Dubăsari, Călărași și Rezina au transformat informarea în servicii "
                "livrate pe loc.</p>"
            ),
        )
        _publish(root, home)
        demo.note("home page")
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Atelier")
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = site.site_name or "Atelier"
        site.save()
    demo.home = home
    return home


def offices_ensure(demo: Demo) -> None:
    index = _child(demo.home, OfficeIndexPage, "birouri")
    if index is None:
        index = _publish(demo.home, OfficeIndexPage(
            title="Birouri BCIS", slug="birouri",
            introduction="Birourile Comune de Informații și Servicii din raioanele pilot.",
        ))
        demo.note("office index")
    for spec in OFFICES:
        office = _child(index, OfficePage, spec["slug"])
        if office is None:
            office = OfficePage(
                title=spec["title"],
                slug=spec["slug"],
                district=spec["district"],
                address=spec["address"],
                opening_hours="Luni–Vineri, 8:00–17:00",
                introduction=f"Biroul pilot din raionul {spec['district']}: servicii publice sub un singur acoperiș.",
                mobile_team_vehicle_seats=4,
                mobile_team_specialists=9,
                mobile_team_visits="săptămânal, în satele raionului",
                **mobile_team_equipment(spec.get("has_scanner", False), ROMANIAN_EQUIPMENT),
            )
            for provider in providers_for(spec["district"]):
                office.providers.add(provider)
            _publish(index, office)
            demo.note(f"office {spec['slug']}")
        office_team_ensure(office=office)
        demo.offices[spec["slug"]] = office


def services_ensure(demo: Demo) -> None:
    for spec in SERVICES:
        service = Service.objects.filter(slug=spec["slug"]).first()
        if service is None:
            service = Service(
                slug=spec["slug"], name=spec["name"], institution=spec["institution"], description=spec["description"]
            )
            service.tags.add(*spec["tags"])
            service.save()
            demo.note(f"service {spec['slug']}")
        demo.services[spec["slug"]] = service


def users_ensure(demo: Demo) -> None:
    User = get_user_model()
    facilitators = facilitators_group_ensure(root_page=demo.home)

    def user(username: str, *, first: str, last: str, superuser=False, groups=()):
        found = User.objects.filter(username=username).first()
        if found is None:
            found = User(
                username=username, first_name=first, last_name=last,
                email=f"{username}@atelier.example", is_staff=superuser, is_superuser=superuser,
            )
            found.set_password(demo.password)
            found.save()
            demo.note(f"user {username}")
        found.groups.add(*groups)
        demo.users[username] = found
        return found

    user("admin", first="Administrator", last="Atelier", superuser=True)
    user("facilitator", first="Ana", last="Facilitatoare", groups=[facilitators])
    for spec in OFFICES:
        office = demo.offices[spec["slug"]]
        group = Group.objects.get(pk=office.team_group_id)
        user(spec["username"], first="Echipa", last=spec["title"], groups=[group])


def workshops_ensure(demo: Demo) -> None:
    index = _child(demo.home, WorkshopIndexPage, "ateliere")
    if index is None:
        index = _publish(demo.home, WorkshopIndexPage(
            title="Ateliere", slug="ateliere",
            introduction="Ateliere de co-creare cu cetățeni și prestatori de servicii.",
        ))
        demo.note("workshop index")
    offices = list(demo.offices.values())
    facilitator = demo.users["facilitator"]

    kickoff = _child(index, WorkshopPage, "atelier-de-lansare-2016")
    if kickoff is None:
        kickoff = WorkshopPage(
            title="Atelier de lansare: reproiectarea BCIS",
            slug="atelier-de-lansare-2016",
            introduction=(
                "Primul atelier: câte șase prestatori și specialiști raionali din fiecare birou pilot "
                "au numit problemele și au ales ideile de încercat."
            ),
            starts_at=_local(2016, 3, 29, 10),
            ends_at=_local(2016, 3, 29, 16),
            place="Chișinău, sala de conferințe a laboratorului de inovare socială",
            join_code="KICK16",
            dots_per_participant=3,
            phase=Phase.CLOSED,
            agenda=agenda("kickoff"),
        )
        kickoff.suggested_tags.add("front-office", "back-office", "documente", "online", "echipa mobilă")
        kickoff.offices.set(offices)
        kickoff.facilitators.set([facilitator])
        _publish(index, kickoff)
        demo.note("kickoff workshop")
    demo.workshops["kickoff"] = kickoff

    live = WorkshopPage.objects.filter(join_code=DEMO_JOIN_CODE, locale=Locale.get_default()).first()
    if live is None:
        today = timezone.localdate()
        live = WorkshopPage(
            title="Echipa mobilă: serviciul livrat pe loc, în sat",
            slug="echipa-mobila",
            introduction=(
                "Cum poate echipa mobilă (9 specialiști, 4 locuri în mașină, fără scaner) să livreze "
                "serviciul pe loc, nu doar informația? Propuneți idei și votați-le."
            ),
            starts_at=dt.datetime.combine(today, dt.time(10), tzinfo=CHISINAU),
            ends_at=dt.datetime.combine(today, dt.time(13), tzinfo=CHISINAU),
            place="Rezina, sala de ședințe a Consiliului raional",
            join_code=DEMO_JOIN_CODE,
            dots_per_participant=3,
            max_dots_per_idea=None,
            blind_voting=False,
            phase=Phase.IDEAS,
            agenda=agenda("live"),
        )
        live.suggested_tags.add("front-office", "back-office", "documente", "online", "echipa mobilă")
        live.offices.set(offices)
        live.facilitators.set([facilitator])
        _publish(index, live)
        demo.note("live workshop DEMO29")
    demo.workshops["live"] = live


# The demo's content in Russian (the interface has its own .po files): the services, the
# workshops and the offices (their providers and agendas are in PROVIDERS and AGENDAS above).
RUSSIAN_SERVICES = {
    "indemnizatia-de-maternitate": (
        "Пособие по беременности и родам",
        "Национальная касса социального страхования (CNAS)",
        "Пособие, которое выплачивают застрахованным матерям на время отпуска по беременности и родам. "
        "Картирование, ориентированное на пользователя, нашло 26 шагов между гражданкой и банковской "
        "выплатой; 6 шагов бэк-офиса, дублировавшихся на бумаге и в электронном виде, убраны.",
    ),
    "ajutor-social": (
        "Социальная помощь",
        "Управление социальной помощи и защиты семьи",
        "Денежная выплата семьям с низкими доходами.",
    ),
    "certificat-de-pensie": (
        "Справка о пенсии",
        "Территориальная касса социального страхования",
        "Справка для пенсионеров, которую в сёлах часто просят у мобильной команды.",
    ),
}

KICKOFF_RU = {
    "title": "Стартовый семинар: перепроектирование СБИУ",
    "introduction": (
        "Первый семинар: по шесть поставщиков услуг и районных специалистов от каждого пилотного бюро "
        "назвали проблемы и выбрали идеи, которые стоит попробовать."
    ),
    "place": "Кишинёв, конференц-зал лаборатории социальных инноваций",
    "agenda": agenda("kickoff", "ru"),
}

LIVE_RU = {
    "title": "Мобильная команда: услуга на месте, в селе",
    "introduction": (
        "Как мобильной команде (9 специалистов, 4 места в машине, без сканера) оказывать "
        "услугу на месте, а не только информировать? Предлагайте идеи и голосуйте за них."
    ),
    "place": "Резина, зал заседаний районного совета",
    "agenda": agenda("live", "ru"),
}

RUSSIAN_OFFICES = {  # title, district, address
    "dubasari": ("СБИУ Дубэсарь", "Дубэсарь", "с. Кочиерь, ул. Михая Эминеску, 1, Дубэсарский район"),
    "calarasi": ("СБИУ Кэлэрашь", "Кэлэрашь", "г. Кэлэрашь, ул. Александру чел Бун, 1"),
    "rezina": ("СБИУ Резина", "Резина", "г. Резина, ул. 27 Августа, 1"),
}


def _translation_ensure(demo: Demo, page: Page, locale: Locale, **fields) -> Page:
    """The page's translation in `locale`, made with Wagtail's own action and published once."""
    found = page.get_translation_or_none(locale)
    if found is not None:
        return found.specific
    translation = page.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    demo.note(f"{page.slug} ({locale.language_code})")
    return translation


def translations_ensure(demo: Demo) -> None:
    """Home, the office list, the three pilot offices with their providers, the workshop list,
    both workshops with their agendas, and the services in Russian: a Russian speaker reads
    them at /ru/… (the services at their one address); votes and plans stay on the Romanian
    pages. A page translated before keeps its words: seeding again changes nothing."""
    ru = Locale.objects.get(language_code="ru")
    _translation_ensure(
        demo, demo.home, ru,
        introduction=(
            "Atelier собирает граждан и поставщиков услуг, чтобы вместе перепроектировать "
            "государственные услуги: идеи, голосование, прототипы, тестирование и планы действий."
        ),
        body=(
            "<p>Совместные бюро информации и услуг (СБИУ) объединяют под одной крышей "
            "государственных, частных и общественных поставщиков. Семинары, начатые в 2016 году "
            "с пилотными бюро в Дубэсарь, Кэлэрашь и Резине, превратили информирование в услуги, "
            "оказываемые на месте.</p>"
        ),
    )
    index = demo.offices["rezina"].get_parent()
    _translation_ensure(
        demo, index, ru, title="Бюро СБИУ",
        introduction="Совместные бюро информации и услуг в пилотных районах.",
    )
    has_scanner = {spec["slug"]: spec.get("has_scanner", False) for spec in OFFICES}
    for slug, (title, district, address) in RUSSIAN_OFFICES.items():
        _translation_ensure(
            demo, demo.offices[slug], ru,
            title=title, district=district, address=address,
            introduction=f"Пилотное бюро в районе {district}: государственные услуги под одной крышей.",
            opening_hours="Понедельник–пятница, 8:00–17:00",
            mobile_team_visits="еженедельно, в сёла района",
            **mobile_team_equipment(has_scanner[slug], RUSSIAN_EQUIPMENT),
            providers=providers_for(district, "ru"),
        )
    live = demo.workshops["live"]
    _translation_ensure(
        demo, live.get_parent(), ru, title="Семинары",
        introduction="Семинары совместного создания услуг с гражданами и поставщиками услуг.",
    )
    _translation_ensure(demo, live, ru, **LIVE_RU)
    _translation_ensure(demo, demo.workshops["kickoff"], ru, **KICKOFF_RU)
    for slug, (name, institution, description) in RUSSIAN_SERVICES.items():
        service = demo.services[slug]
        if not service.has_translation(ru):
            translation = service.copy_for_translation(ru)  # Wagtail's own: same slug, same tags
            translation.name, translation.institution, translation.description = name, institution, description
            translation.save()
            demo.note(f"service {slug} ({ru.language_code})")


@transaction.atomic
def seed_demo(*, password: str) -> Demo:
    """Build (or complete) the whole demo; returns what it built."""
    demo = Demo(password=password)
    site_ensure(demo)
    offices_ensure(demo)
    services_ensure(demo)
    users_ensure(demo)
    workshops_ensure(demo)
    for seed_app_part in APP_STEPS:
        seed_app_part(demo)
    translations_ensure(demo)
    return demo
