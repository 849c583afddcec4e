"""The prototypes part of the demo: the maternity allowance's as-is (26 steps) and to-be
(20 steps) maps, in Romanian and in Russian, and the clickable prototype `maternitate-online`
drawn with Pillow."""

import io
from decimal import Decimal

from django.core.files.images import ImageFile
from wagtail.images import get_image_model
from wagtail.models import Locale

from .drawing import draw_screen
from .models import Hotspot, MapStep, Prototype, Screen, ServiceMap
from .services import version_create

SERVICE = "indemnizatia-de-maternitate"
PROTOTYPE = "maternitate-online"

# (title, actor, channel, documents, days, removed)
AS_IS = [
    ("Obține certificatul de concediu medical la medicul de familie", "citizen", "in_person", ["buletin de identitate", "poliță de asigurare"], "1", False),
    ("Medicul eliberează certificatul de concediu medical pe hârtie", "other_institution", "paper", [], "0.5", False),
    ("Cere angajatorului certificatul privind venitul asigurat", "citizen", "in_person", ["cerere către angajator"], "1", False),
    ("Angajatorul eliberează certificatul de venit", "other_institution", "paper", [], "3", False),
    ("Obține extrasul de cont de la bancă", "citizen", "in_person", ["buletin de identitate"], "1", False),
    ("Banca eliberează extrasul de cont", "bank", "paper", [], "0.5", False),
    ("Depune dosarul la ghișeul CTAS", "citizen", "in_person", ["buletin de identitate", "certificat de concediu medical", "certificat de venit", "extras de cont", "cerere tipizată"], "1", False),
    ("Verifică dosarul și eliberează recipisa", "front_office", "paper", [], "0.5", False),
    ("Înregistrează cererea în registrul de intrare pe hârtie", "front_office", "paper", [], "0.5", False),
    ("Transmite dosarul fizic la secția prestații", "back_office", "paper", [], "2", True),
    ("Introduce datele cererii în sistemul informațional", "back_office", "electronic", [], "1", False),
    ("Copiază dosarul pentru arhiva pe hârtie", "back_office", "paper", [], "1", True),
    ("Verifică stagiul de cotizare în registrul asiguraților", "back_office", "electronic", [], "1", False),
    ("Cere pe hârtie confirmarea stagiului de cotizare", "back_office", "paper", [], "3", True),
    ("Calculează cuantumul indemnizației", "back_office", "electronic", [], "1", False),
    ("Recalculează manual cuantumul pe fișa de calcul", "back_office", "paper", [], "1", True),
    ("Întocmește decizia de stabilire", "back_office", "paper", [], "2", False),
    ("Înregistrează decizia în sistem", "back_office", "electronic", [], "0.5", False),
    ("Semnează și ștampilează decizia", "back_office", "paper", [], "1", False),
    ("Întocmește borderoul de plată pe hârtie", "back_office", "paper", [], "1", True),
    ("Generează lista de plată electronică", "back_office", "electronic", [], "0.5", False),
    ("Trimite borderoul semnat la bancă prin curier", "back_office", "paper", [], "3", True),
    ("Virează indemnizația pe contul mamei", "bank", "electronic", [], "2", False),
    ("Răspunde la telefon despre stadiul cererii", "front_office", "phone", [], "0.5", False),
    ("Sună la CTAS să afle stadiul cererii", "citizen", "phone", [], "0.5", False),
    ("Vine la CTAS să ridice decizia", "citizen", "in_person", ["buletin de identitate"], "1", False),
]

# (title, actor, channel, documents, days, replaces: as-is step numbers, 1-based)
TO_BE = [
    ("Obține certificatul de concediu medical la medicul de familie", "citizen", "in_person", ["buletin de identitate"], "1", [1]),
    ("Medicul emite certificatul de concediu medical electronic", "other_institution", "electronic", [], "0", [2]),
    ("Depune cererea online, din telefon sau calculator", "citizen", "electronic", [], "0.1", [3, 7]),
    ("Angajatorul confirmă venitul asigurat în sistem", "other_institution", "electronic", [], "1", [4]),
    ("Indică contul bancar în cererea online", "citizen", "electronic", [], "0", [5]),
    ("Banca confirmă contul electronic", "bank", "electronic", [], "0.5", [6]),
    ("Verifică cererea online și trimite confirmarea", "front_office", "electronic", [], "0.5", [8]),
    ("Cererea se înregistrează automat", "front_office", "electronic", [], "0", [9]),
    ("Preia cererea în sistemul informațional", "back_office", "electronic", [], "0.5", [11]),
    ("Verifică stagiul de cotizare în registrul asiguraților", "back_office", "electronic", [], "0.5", [13]),
    ("Calculează cuantumul indemnizației", "back_office", "electronic", [], "0.5", [15]),
    ("Întocmește decizia electronică", "back_office", "electronic", [], "1", [17]),
    ("Înregistrează decizia în sistem", "back_office", "electronic", [], "0", [18]),
    ("Semnează decizia cu semnătura electronică", "back_office", "electronic", [], "0.5", [19]),
    ("Generează lista de plată electronică", "back_office", "electronic", [], "0.5", [21]),
    ("Virează indemnizația pe contul mamei", "bank", "electronic", [], "2", [23]),
    ("Urmărește online statutul cererii", "citizen", "electronic", [], "0", [25]),
    ("Răspunde la întrebările rămase, la telefon", "front_office", "phone", [], "0.5", [24]),
    ("Primește decizia prin e-mail sau SMS", "citizen", "electronic", [], "0", [26]),
    ("Evaluează serviciul după plată", "citizen", "electronic", [], "0", []),
]

# Each map's title and description (and, translated, its steps' titles).
AS_IS_NAMES = ("Indemnizația de maternitate: azi (26 de pași)", "", [])
TO_BE_NAMES = (
    "Indemnizația de maternitate: online (20 de pași)",
    "Cerere online, statut urmărit de mamă, fără pașii dublați pe hârtie.",
    [],
)
# The two maps in Russian: the same steps, in the same order, in Russian words.
AS_IS_RU = (
    "Пособие по беременности и родам: сегодня (26 шагов)", "",
    [
        "Получает больничный лист у семейного врача",
        "Врач выдаёт больничный лист на бумаге",
        "Просит у работодателя справку о застрахованном доходе",
        "Работодатель выдаёт справку о доходе",
        "Получает выписку со счёта в банке",
        "Банк выдаёт выписку со счёта",
        "Подаёт документы в окно ТКСС",
        "Проверяет документы и выдаёт расписку",
        "Регистрирует заявление в бумажном журнале входящих",
        "Передаёт бумажное дело в отдел пособий",
        "Вносит данные заявления в информационную систему",
        "Копирует дело для бумажного архива",
        "Проверяет страховой стаж в регистре застрахованных",
        "Запрашивает на бумаге подтверждение страхового стажа",
        "Рассчитывает размер пособия",
        "Вручную пересчитывает размер пособия на расчётном листе",
        "Составляет решение о назначении",
        "Регистрирует решение в системе",
        "Подписывает решение и ставит печать",
        "Составляет платёжную ведомость на бумаге",
        "Формирует электронный платёжный список",
        "Отправляет подписанную ведомость в банк курьером",
        "Перечисляет пособие на счёт матери",
        "Отвечает по телефону, на каком этапе заявление",
        "Звонит в ТКСС узнать, на каком этапе заявление",
        "Приходит в ТКСС забрать решение",
    ],
)
TO_BE_RU = (
    "Пособие по беременности и родам: онлайн (20 шагов)",
    "Заявление онлайн, мать сама следит за его статусом, без шагов, дублируемых на бумаге.",
    [
        "Получает больничный лист у семейного врача",
        "Врач выдаёт электронный больничный лист",
        "Подаёт заявление онлайн, с телефона или компьютера",
        "Работодатель подтверждает застрахованный доход в системе",
        "Указывает банковский счёт в онлайн-заявлении",
        "Банк подтверждает счёт в электронном виде",
        "Проверяет онлайн-заявление и отправляет подтверждение",
        "Заявление регистрируется автоматически",
        "Принимает заявление в информационной системе",
        "Проверяет страховой стаж в регистре застрахованных",
        "Рассчитывает размер пособия",
        "Составляет электронное решение",
        "Регистрирует решение в системе",
        "Подписывает решение электронной подписью",
        "Формирует электронный платёжный список",
        "Перечисляет пособие на счёт матери",
        "Следит за статусом заявления онлайн",
        "Отвечает по телефону на оставшиеся вопросы",
        "Получает решение по электронной почте или SMS",
        "Оценивает услугу после выплаты",
    ],
)
DOCUMENTS_RU = {
    "buletin de identitate": "удостоверение личности",
    "poliță de asigurare": "медицинский полис",
    "cerere către angajator": "заявление работодателю",
    "certificat de concediu medical": "больничный лист",
    "certificat de venit": "справка о доходе",
    "extras de cont": "выписка со счёта",
    "cerere tipizată": "типовое заявление",
}

BUTTON = (0.08, 0.82, 0.84, 0.07)
SECOND_BUTTON = (0.08, 0.72, 0.84, 0.07)
BACK = (0.02, 0.015, 0.12, 0.06)
# The back arrow's hotspot: the arrow and the bar's corner around it, so that on a phone,
# where the screen is drawn at about a third of its size, it is still a finger wide.
BACK_TAP = (0.0, 0.0, 0.18, 0.09)

SCREENS = [
    ("Start", dict(title="Indemnizația de maternitate", lines=["Depuneți cererea online,", "fără drumuri la ghișeu.", "Urmăriți statutul ei oricând."],
                   buttons=[("Ce acte îmi trebuie?", SECOND_BUTTON), ("Începe cererea", BUTTON)])),
    ("Formular", dict(title="Cererea", lines=["Pasul 1 din 3"], fields=["Nume și prenume", "IDNP", "Data nașterii copilului", "Cont bancar (IBAN)"],
                      buttons=[("Continuă", BUTTON)], back=BACK)),
    ("Acte", dict(title="Actele", lines=["Pasul 2 din 3", "Le primim direct de la instituții:"],
                  checks=["Certificatul de concediu medical", "Venitul asigurat (angajator)", "Contul bancar confirmat"],
                  buttons=[("Trimite cererea", BUTTON)], back=BACK)),
    ("Statut", dict(title="Statutul cererii", lines=["Cererea nr. 2016-0329"],
                    checks=["Cerere primită", "În verificare", "Decizie: în curând", "Plata: după decizie"],
                    buttons=[("Înapoi la început", BUTTON)], back=BACK)),
]


def seed(demo) -> None:
    service = demo.services[SERVICE]
    if not ServiceMap.objects.filter(service=service).exists():
        _seed_maps(service)
        demo.note("maternity allowance maps")
    russian = Locale.objects.filter(language_code="ru").first()
    if russian is not None and not ServiceMap.objects.filter(service=service, locale=russian).exists():
        _seed_maps(service, locale=russian)
        demo.note("maternity allowance maps (ru)")
    if not Prototype.objects.filter(slug=PROTOTYPE).exists():
        _seed_prototype(demo, service)
        demo.note(f"prototype {PROTOTYPE}")
    if _link_back_arrows():
        demo.note(f"prototype {PROTOTYPE}: back arrows")


def _seed_maps(service, locale=None) -> None:
    """The as-is and to-be maps; given a `locale` (Russian), their translations: the same steps
    and facts in Russian words, each map in the translation family of the Romanian one."""
    family = {}
    if locale is not None:
        family = dict(ServiceMap.objects.filter(service=service, locale=service.locale).values_list("kind", "translation_key"))

    def new_map(kind: str, title: str, description: str) -> ServiceMap:
        language = {"locale": locale, "translation_key": family[kind]} if locale is not None else {}
        return ServiceMap.objects.create(service=service, kind=kind, title=title, description=description, **language)

    def words(names: tuple, n: int, title: str, documents: list[str]) -> tuple[str, list[str]]:
        """Step n's title and documents in the map's language."""
        if locale is None:
            return title, documents
        return names[2][n - 1], [DOCUMENTS_RU[document] for document in documents]

    as_is_names, to_be_names = (AS_IS_RU, TO_BE_RU) if locale else (AS_IS_NAMES, TO_BE_NAMES)
    as_is = new_map("as_is", as_is_names[0], as_is_names[1])
    old_steps = []
    for n, (title, actor, channel, documents, days, removed) in enumerate(AS_IS, start=1):
        title, documents = words(as_is_names, n, title, documents)
        old_steps.append(MapStep.objects.create(
            map=as_is, sort_order=n, title=title, actor=actor, channel=channel,
            documents="\n".join(documents), duration_days=Decimal(days), removed=removed,
        ))
    to_be = new_map("to_be", to_be_names[0], to_be_names[1])
    for n, (title, actor, channel, documents, days, replaces) in enumerate(TO_BE, start=1):
        title, documents = words(to_be_names, n, title, documents)
        step = MapStep.objects.create(
            map=to_be, sort_order=n, title=title, actor=actor, channel=channel,
            documents="\n".join(documents), duration_days=Decimal(days),
        )
        step.replaces.set([old_steps[i - 1] for i in replaces])
        step.save()  # a parental many-to-many is written when its object is saved


def _seed_prototype(demo, service) -> None:
    Image = get_image_model()
    prototype = Prototype.objects.create(
        title="Indemnizația de maternitate online", slug=PROTOTYPE, service=service,
        workshop=demo.workshops.get("kickoff"),
        description="Cererea online și statutul ei, încercate cu mame din Călărași și Rezina.",
    )
    prototype.offices.set(list(demo.offices.values()))
    prototype.save()
    version = version_create(prototype=prototype, user=demo.users.get("facilitator"), notes="Prima versiune")
    screens = []
    for order, (title, layout) in enumerate(SCREENS, start=1):
        png = draw_screen(**layout)
        image = Image(title=f"{PROTOTYPE}: {title}", file=ImageFile(_named(png, f"{PROTOTYPE}-{order}.png")))
        image.save()
        screens.append(Screen.objects.create(version=version, title=title, image=image, sort_order=order))
    start, form, documents, status = screens

    def link(screen, box, **target):
        x, y, w, h = box
        Hotspot.objects.create(screen=screen, x=x, y=y, w=w, h=h, **target)

    link(start, BUTTON, target_screen=form, label="Începe cererea")
    link(start, SECOND_BUTTON, target_url="https://cnas.gov.md/", label="Ce acte îmi trebuie?")
    link(form, BUTTON, target_screen=documents, label="Continuă")
    link(documents, BUTTON, target_screen=status, label="Trimite cererea")
    link(status, BUTTON, target_screen=start, label="Înapoi la început")
    version.published = True
    version.save(update_fields=["published"])
    _link_back_arrows()


def _link_back_arrows() -> int:
    """Give every screen of the demo prototype's first version on which a back arrow is drawn
    a `back` hotspot over it (an arrow that looks tappable must be); how many were added."""
    drawn_back = {title for title, layout in SCREENS if layout.get("back")}
    screens = Screen.objects.filter(version__prototype__slug=PROTOTYPE, version__number=1, title__in=drawn_back)
    added = 0
    for screen in screens.exclude(hotspots__back=True):
        x, y, w, h = BACK_TAP
        Hotspot.objects.create(screen=screen, x=x, y=y, w=w, h=h, back=True, label="Înapoi")
        added += 1
    return added


def _named(data: bytes, name: str):
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer
