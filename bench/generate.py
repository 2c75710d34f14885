#!/usr/bin/env python3
"""Generates a synthetic Persian newsroom for benchmarking chapar.

Usage: generate.py N OUT_DIR

Writes OUT_DIR/site.yaml (8 desks, page_size 10) and N press releases under
OUT_DIR/content/<desk>/<id>.md that use every front matter field chapar knows
(title, lead, author, desk, date, updated, id, tags, metrics, image, slug, extra;
draft is always false or absent).

The output is deterministic: article i depends only on i (each article has its own
random generator seeded from a fixed string and i), so the same N always gives
byte-identical files and the first 1,000 articles of a 10,000 corpus are the 1,000
of a 1,000 corpus. OUT_DIR/content is removed and rewritten on every run.

Only the Python standard library is used.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import sys
import unicodedata

SEED = "chapar-bench-v1"
ZWNJ = "\u200c"

# Persian digits for numbers inside text.
_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def fa(n: int | str) -> str:
    return str(n).translate(_PERSIAN_DIGITS)


def fa_grouped(n: int) -> str:
    return fa(f"{n:,}".replace(",", "٬"))


def z(text: str) -> str:
    """Writes `+` as a zero-width non-joiner, so compound words stay readable here."""
    return text.replace("+", ZWNJ)


def zl(text: str) -> list[str]:
    """A `|`-separated list of phrases, with `+` as ZWNJ."""
    return [z(w.strip()) for w in text.split("|") if w.strip()]


# --------------------------------------------------------------------------------------
# The newsroom

DESKS = [
    ("provinces", "استان" + ZWNJ + "ها", "خبرهای ادارات کل و استانداری" + ZWNJ + "ها از سراسر کشور."),
    ("economy", "اقتصاد", "اشتغال، تعاون، بازار کار، صنعت و تجارت."),
    ("society", "جامعه", "رفاه اجتماعی، آسیب" + ZWNJ + "های اجتماعی و خدمات عمومی."),
    ("health", "سلامت", "بهداشت، درمان، بیمه و پیشگیری."),
    ("education", "آموزش", "مدرسه، دانشگاه، مهارت" + ZWNJ + "آموزی و پژوهش."),
    ("culture", "فرهنگ و هنر", "کتاب، سینما، موسیقی، میراث فرهنگی و گردشگری."),
    ("sport", "ورزش", "ورزش همگانی، ورزش قهرمانی و زیرساخت" + ZWNJ + "های ورزشی."),
    ("environment", "محیط زیست", "آب، هوا، جنگل، پسماند و انرژی" + ZWNJ + "های پاک."),
]

FIRST_NAMES = zl(
    "علی|محمد|حسین|رضا|مهدی|زهرا|فاطمه|مریم|سارا|نرگس|کوثر|امیر|حمید|الهام|"
    "سمیه|پریسا|مجید|سعید|لیلا|نازنین|بهاره|فرهاد|کاوه|شیرین"
)
LAST_NAMES = zl(
    "موسوی|حسینی|احمدی|رضایی|کریمی|محمدی|جعفری|صادقی|نوری|رحیمی|قاسمی|"
    "عباسی|شریفی|طاهری|ملکی|یزدانی|کاظمی|رستمی|بهرامی|فرهادی|اکبری|سلطانی|نجفی|"
    "میرزایی|الیاسی|زارعی|حیدری|پورمحمدی|امیری|خسروی"
)

PROVINCES = zl(
    "تهران|اصفهان|فارس|خراسان رضوی|آذربایجان شرقی|آذربایجان غربی|خوزستان|کرمان|"
    "مازندران|گیلان|گلستان|کرمانشاه|ایلام|لرستان|همدان|مرکزی|قم|قزوین|زنجان|"
    "سمنان|یزد|هرمزگان|بوشهر|سیستان و بلوچستان|کردستان|اردبیل|چهارمحال و بختیاری|"
    "کهگیلویه و بویراحمد|خراسان شمالی|خراسان جنوبی|البرز"
)
CITIES = zl(
    "دهلران|ایوان|مهران|آبدانان|کاشان|نجف+آباد|شیراز|مرودشت|نیشابور|سبزوار|مراغه|"
    "مرند|ارومیه|خوی|دزفول|آبادان|رفسنجان|سیرجان|ساری|بابل|رشت|لاهیجان|گرگان|"
    "گنبد کاووس|اسلام+آباد غرب|خرم+آباد|بروجرد|ملایر|اراک|ساوه|تاکستان|ابهر|شاهرود|"
    "میبد|بندرعباس|قشم|برازجان|زاهدان|چابهار|سنندج|سقز|مشکین+شهر|شهرکرد|یاسوج|"
    "بجنورد|بیرجند|کرج|نظرآباد"
)

ORGS = zl(
    "اداره+کل تعاون، کار و رفاه اجتماعی|اداره+کل بهزیستی|دانشگاه علوم پزشکی|"
    "اداره+کل آموزش و پرورش|اداره+کل ورزش و جوانان|اداره+کل میراث فرهنگی، گردشگری و صنایع دستی|"
    "اداره+کل حفاظت محیط زیست|سازمان صنعت، معدن و تجارت|سازمان جهاد کشاورزی|"
    "شرکت آب و فاضلاب|شرکت توزیع نیروی برق|اداره+کل راه و شهرسازی|"
    "اداره+کل فرهنگ و ارشاد اسلامی|کمیتهٔ امداد|جمعیت هلال+احمر|اداره+کل منابع طبیعی|"
    "اداره+کل آموزش فنی و حرفه+ای|سازمان مدیریت و برنامه+ریزی|اداره+کل بیمهٔ سلامت|"
    "ادارهٔ کل تأمین اجتماعی|شهرداری|استانداری|فرمانداری|اتاق بازرگانی|پارک علم و فناوری"
)
ROLES = zl("مدیرکل|معاون|سرپرست|رئیس|مدیر|دبیر|معاون توسعهٔ مدیریت|معاون فنی|کارشناس مسئول")

# Nouns and noun phrases (objects of the news).
TOPICS = zl(
    "اشتغال|تولید|سرمایه+گذاری|طرح+های عمرانی|پروژه+های نیمه+تمام|تسهیلات اشتغال|"
    "اعتبارات استانی|بودجهٔ عمرانی|زیرساخت+های روستایی|آموزش مهارتی|خدمات سلامت|"
    "بیمهٔ روستاییان|پوشش بیمه+ای|تعاونی+های تولید|کارگاه+های کوچک|واحدهای صنعتی|"
    "کشاورزی مدرن|آبیاری تحت فشار|آب شرب روستاها|شبکهٔ برق|گازرسانی|راه+های روستایی|"
    "مدارس مقاوم|فضای آموزشی|مراکز درمانی|بیمارستان+های جدید|ورزشگاه+های محلی|"
    "کتابخانه+های عمومی|بناهای تاریخی|گردشگری روستایی|صادرات غیرنفتی|بازار محصولات کشاورزی|"
    "مسکن ملی|حمل+ونقل عمومی|جنگل+کاری|احیای مراتع|مدیریت پسماند|بازیافت|"
    "انرژی خورشیدی|مصرف آب|پیشگیری از حوادث کار|بازرسی کار|ایمنی کارگاه+ها|"
    "سامانه+های الکترونیک|میز خدمت|کارآفرینی|شرکت+های دانش+بنیان|نوآوری|پژوهش+های کاربردی|"
    "سبد معیشتی|کالابرگ الکترونیک|حمایت از معلولان|خدمات سالمندان|زنان سرپرست خانوار|"
    "اشتغال جوانان|ورزش همگانی|ورزش کارگری|جشنوارهٔ فرهنگی|نمایشگاه صنایع دستی|"
    "آموزش عشایر|واکسیناسیون|غربالگری سلامت|اورژانس جاده+ای|امداد و نجات|"
    "مقابله با خشکسالی|مهار سیلاب|آلودگی هوا|حفاظت از تالاب+ها|پارک+های جنگلی"
)
TOPIC_ADJ = zl(
    "گسترده|جدید|نیمه+تمام|اولویت+دار|کوچک و متوسط|دانش+بنیان|مردمی|استانی|ملی|"
    "پایدار|زودبازده|راهبردی|اضطراری|آزمایشی|مشترک|فراگیر"
)
VERBS_PAST = zl(
    "آغاز شد|به بهره+برداری رسید|افزایش یافت|کاهش یافت|تصویب شد|اجرا شد|تکمیل شد|"
    "پیگیری شد|بررسی شد|ارزیابی شد|گسترش یافت|برگزار شد|راه+اندازی شد|تمدید شد|"
    "تخصیص یافت|پرداخت شد|ثبت شد|به نتیجه رسید"
)
VERBS_FUTURE = zl(
    "آغاز می+شود|اجرا خواهد شد|تا پایان سال تکمیل می+شود|به بهره+برداری می+رسد|"
    "گسترش می+یابد|در دستور کار قرار می+گیرد|پیگیری خواهد شد|بازنگری می+شود"
)
SAY_VERBS = zl("گفت|افزود|تصریح کرد|یادآور شد|اظهار کرد|خبر داد|تأکید کرد|اعلام کرد|بیان کرد")
CONNECTORS = zl(
    "همچنین|از سوی دیگر|افزون بر این|به گفتهٔ او|بر این اساس|در همین حال|با این حال|"
    "در ادامه|به این ترتیب|در نتیجه|در حال حاضر|پیش از این|هم+اکنون"
)
TIME_PHRASES = zl(
    "در شش ماه نخست امسال|در سال گذشته|از ابتدای امسال|در سه ماه اخیر|در هفتهٔ گذشته|"
    "تا پایان سال|در برنامهٔ هفتم توسعه|در دو سال اخیر|در ماه جاری|در نیمهٔ دوم سال"
)
PURPOSES = zl(
    "برای بهبود معیشت خانوارها|با هدف ایجاد اشتغال پایدار|برای رفع مشکلات مردم|"
    "با مشارکت بخش خصوصی|با همکاری دستگاه+های اجرایی|در راستای عدالت اجتماعی|"
    "برای کاهش هزینه+های تولید|با هدف توسعهٔ متوازن استان|برای افزایش بهره+وری|"
    "با حمایت نمایندگان مجلس|در چارچوب سند توسعهٔ استان|برای حفظ منابع طبیعی"
)
PLACES_GENERIC = zl(
    "شهرستان+های محروم|مناطق روستایی|حاشیهٔ شهرها|مناطق مرزی|شهرک+های صنعتی|"
    "مناطق عشایری|مراکز استان|بخش+های کم+برخوردار"
)
OPINION_NOUNS = zl(
    "هماهنگی میان دستگاه+ها|نظارت مستمر|مشارکت مردم|استفاده از ظرفیت+های محلی|"
    "شفافیت در اطلاع+رسانی|توجه به نیروی انسانی|حمایت از سرمایه+گذاران|آموزش نیروی کار|"
    "رفع موانع تولید|تکمیل زنجیرهٔ ارزش"
)
ADJ_RESULT = zl("چشمگیر|قابل توجه|بی+سابقه|مناسب|رو به رشد|امیدوارکننده|نسبی|محسوس")
UNITS = [
    ("درصد", 1, 95),
    ("نفر", 20, 250000),
    ("میلیارد ریال", 5, 9000),
    ("میلیارد تومان", 1, 900),
    ("هکتار", 10, 40000),
    ("کیلومتر", 2, 1200),
    ("واحد", 3, 8000),
    ("طرح", 2, 600),
    ("تن", 50, 900000),
    ("مگاوات", 1, 400),
    ("مترمکعب", 1000, 5000000),
    ("دوره", 2, 300),
]
HEADINGS = zl(
    "نشست+های ماهانه در شهرستان+ها|برنامه+های سال آینده|وضعیت اعتبارات|گزارش عملکرد|"
    "چالش+های پیش رو|حمایت از خانوارها|نقش بخش خصوصی|آمار و ارقام|طرح+های در دست اجرا|"
    "دیدار با مردم|همکاری با دانشگاه|خدمات جدید|پیشرفت فیزیکی پروژه|نتایج بازدید|"
    "اقدامات انجام+شده|درخواست از مسئولان|جزئیات طرح|سهم استان"
)
LINK_TEXTS = zl(
    "گزارش کامل|متن مصوبه|سامانهٔ ثبت+نام|جدول اعتبارات|گزارش پیشین|پایگاه اطلاع+رسانی|"
    "فهرست طرح+ها|شیوه+نامهٔ اجرایی|آمار رسمی|دستورالعمل جدید"
)
LINK_PATHS = [
    "report", "budget", "register", "projects", "news/archive", "stats", "guide", "law",
    "services", "faq",
]
SOURCES = zl(
    "روابط عمومی استانداری|روابط عمومی اداره+کل|ایرنا|ایسنا|خبرگزاری مهر|پایگاه خبری دولت|"
    "مرکز آمار ایران|وزارت کار|وزارت بهداشت|شورای اطلاع+رسانی دولت"
)
IMAGE_ALTS = zl(
    "نمایی از نشست شورای اداری|بازدید مدیرکل از کارگاه|افتتاح طرح با حضور مسئولان|"
    "کارگران در محل پروژه|نمایی از مزرعه|جلسهٔ هماهنگی در استانداری|دانش+آموزان در کلاس|"
    "ورزشکاران در سالن|تصویر هوایی از سد|نمایشگاه صنایع دستی"
)
TITLE_PATTERNS = [
    "{change} {pct} درصدی {topic} در {province}",
    "{topic} {place} {province} {verb}",
    "{count} {unit} {topic} در {city} {verb}",
    "{role} {org} {province}: {topic} {verb_future}",
    "آغاز {topic} {adj} در {city}",
    "{topic} {adj} در {count} شهرستان {province}",
    "بهره+برداری از {count} طرح {topic} در {province}",
    "{city} میزبان {event} {topic}",
    "{count} {unit} اعتبار برای {topic} {province}",
    "رتبهٔ {rank} {province} در {topic}",
]
CHANGES = zl("افزایش|کاهش|رشد|افت")
EVENTS = zl("همایش ملی|جشنوارهٔ استانی|نمایشگاه تخصصی|نشست منطقه+ای|دورهٔ آموزشی|مسابقات کشوری")
RANKS = zl("نخست|دوم|سوم|چهارم|پنجم")

# Tags: about 300, no two with the same slug.
TAG_WORDS = zl(
    "اشتغال|تعاون|بیمه|ایمنی کار|کالابرگ|یارانه|مسکن|تورم|صادرات|واردات|"
    "کشاورزی|صنعت|معدن|گردشگری|صنایع دستی|میراث فرهنگی|محیط زیست|آلودگی هوا|خشکسالی|"
    "سیل|زلزله|هلال+احمر|آتش+نشانی|بهزیستی|کمیتهٔ امداد|سالمندان|معلولان|کودکان|"
    "زنان|جوانان|ورزش همگانی|فوتبال|والیبال|کشتی|ورزش کارگری|المپیاد|مدرسه|دانشگاه|"
    "کنکور|فنی و حرفه+ای|مهارت+آموزی|دانش+بنیان|استارتاپ|نوآوری|پژوهش|فناوری|"
    "اینترنت|دولت الکترونیک|میز خدمت|بازرسی کار|حوادث کار|کارگران|بازنشستگان|"
    "تأمین اجتماعی|بیمهٔ سلامت|واکسن|بیمارستان|اورژانس|داروی کمیاب|پزشک خانواده|"
    "آب شرب|برق|گاز|راه روستایی|راه+آهن|فرودگاه|بندر|حمل+ونقل|خودرو|بنزین|"
    "انرژی خورشیدی|نیروگاه|پسماند|بازیافت|جنگل|مرتع|تالاب|حیات وحش|شکار غیرمجاز|"
    "کتاب|سینما|تئاتر|موسیقی|جشنواره|نمایشگاه|عشایر|روستا|شهرداری|شورای شهر|"
    "مجلس|بودجه|اعتبارات|برنامهٔ هفتم|سرمایه+گذاری|بانک|تسهیلات|وام ازدواج|"
    "مالیات|گمرک|قاچاق کالا|بازار|قیمت مرغ|نان|گندم|خرید تضمینی|پسته|زعفران|خرما|"
    "شیلات|دام+داری|زنبورداری|گلخانه|آبیاری|سد|قنات|فرونشست|گرد و غبار|"
    "ترافیک|مترو|اتوبوس|تاکسی|تصادف|پلیس راه|نوروز|مهر|محرم|اربعین|حج|"
    "دهه فجر|روز کارگر|روز معلم|هفتهٔ دولت|سرشماری|آمار|نرخ بیکاری|تعاونی مسکن|"
    "تعاونی روستایی|بازارچهٔ مرزی|منطقهٔ آزاد|شهرک صنعتی|کارآفرینی|سلامت روان|"
    "اعتیاد|طلاق|ازدواج|جمعیت|مهاجرت|آموزش مجازی|معلمان|دانش+آموزان|سوادآموزی|"
    "هوش مصنوعی|امنیت غذایی|آب+خیزداری|آبخوان|باران|برف|سرما|گرما|کم+آبی|صرفه+جویی|"
    "خاموشی|کنتور هوشمند|پنل خورشیدی|انرژی بادی|خودروی برقی|سوخت|سی+ان+جی|"
    "بهداشت محیط|آنفلوانزا|کرونا|سرطان|دیابت|اهدای خون|اهدای عضو|بیمارستان صحرایی|"
    "داوطلبان|خیرین|مدرسه+سازی|کتابخانهٔ سیار|کانون پرورش فکری|شاهنامه+خوانی|"
    "خوشنویسی|نقاشی|عکاسی|فیلم کوتاه|مستند|رادیو|تلویزیون|رسانه|خبرنگاران|"
    "روز خبرنگار|حقوق شهروندی|دادگستری|زندانیان|پلیس|امنیت|قاچاق سوخت|"
    "مرزبانی|زائران|راهپیمایی|انتخابات|شورای اداری|سفر استانی|دولت|وزیر|"
    "معاون رئیس+جمهور|استاندار|فرماندار|بخشدار|دهیار|هیئت دولت|لایحه|"
    "قانون کار|حداقل دستمزد|قرارداد موقت|کارگران فصلی|کار کودکان|بیکاری|"
    "وام مسکن|اجاره+بها|بافت فرسوده|نوسازی|مقاوم+سازی|حاشیه+نشینی|"
    "بورس|ارز|طلا|سکه|نقدینگی|رکود|رونق تولید|جهش تولید|صنایع تبدیلی|"
    "فرش دستباف|گلاب|چای|برنج|مرکبات|انار|سیب|انگور|زیتون|خرمای کبکاب"
)


def simple_slug(text: str) -> str:
    """Close enough to chapar's slugify for the text this generator writes."""
    out, dash = [], False
    for c in text:
        if c in "يى":
            c = "ی"
        elif c == "ك":
            c = "ک"
        if unicodedata.category(c) == "Mn":
            continue
        if c.isalnum():
            if c.isdigit():
                c = str(unicodedata.digit(c))
            if dash and out:
                out.append("-")
            dash = False
            out.append(c.lower())
        elif c.isspace() or c in "\u200c\u200d-_/.–—":
            dash = True
    return "".join(out)


def build_tags() -> list[str]:
    tags: list[str] = []
    seen: set[str] = set()

    def add(t: str) -> None:
        s = simple_slug(t)
        if s and s not in seen:
            seen.add(s)
            tags.append(t)

    for t in TAG_WORDS:
        add(t)
    for p in PROVINCES:
        add(p)
    for c in CITIES:
        add(c)
    return tags


TAGS = build_tags()


def build_authors() -> list[str]:
    rng = random.Random(SEED + "-authors")
    names: list[str] = []
    while len(names) < 40:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name not in names:
            names.append(name)
    return names


AUTHORS = build_authors()


# --------------------------------------------------------------------------------------
# Dates

START = dt.datetime(2022, 1, 1, 0, 0)
END = dt.datetime(2024, 12, 31, 23, 59)
SPAN_MINUTES = int((END - START).total_seconds() // 60)


def _jal_cal(jy: int) -> tuple[int, int]:
    """Borkowski's algorithm (as in jalaali-js): (gregorian year, March day of Farvardin 1)."""
    breaks = [-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097,
              2192, 2262, 2324, 2394, 2456, 3178]

    def div(a: int, b: int) -> int:
        return int(a / b)

    def mod(a: int, b: int) -> int:
        return a - int(a / b) * b

    gy = jy + 621
    leap_j = -14
    jp = breaks[0]
    jump = 0
    for jm in breaks[1:]:
        jump = jm - jp
        if jy < jm:
            break
        leap_j += div(jump, 33) * 8 + div(mod(jump, 33), 4)
        jp = jm
    n = jy - jp
    leap_j += div(n, 33) * 8 + div(mod(n, 33) + 3, 4)
    if mod(jump, 33) == 4 and jump - n == 4:
        leap_j += 1
    leap_g = div(gy, 4) - div((div(gy, 100) + 1) * 3, 4) - 150
    march = 20 + leap_j - leap_g
    return gy, march


def to_jalali(d: dt.date) -> tuple[int, int, int]:
    jy = d.year - 621
    gy, march = _jal_cal(jy)
    first = dt.date(gy, 3, march)
    if d < first:
        jy -= 1
        gy, march = _jal_cal(jy)
        first = dt.date(gy, 3, march)
    day_of_year = (d - first).days  # 0-based
    if day_of_year < 186:
        return jy, day_of_year // 31 + 1, day_of_year % 31 + 1
    day_of_year -= 186
    return jy, day_of_year // 30 + 7, day_of_year % 30 + 1


def format_date(moment: dt.datetime, jalali: bool) -> str:
    if jalali:
        y, m, d = to_jalali(moment.date())
        return f"{y:04d}-{m:02d}-{d:02d} {moment:%H:%M}"
    return f"{moment:%Y-%m-%d %H:%M}"


# --------------------------------------------------------------------------------------
# Text


def yaml_text(text: str) -> str:
    """A plain YAML scalar when safe, else a double-quoted one."""
    if any(c in text for c in ":#[]{},\"'") or text[:1] in "-?!&*|>%@`" or text != text.strip():
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


MIN_WORDS, MAX_WORDS = 400, 900


class Writer:
    def __init__(self, rng: random.Random, province: str, city: str, org: str, person: str):
        self.r = rng
        self.province = province
        self.city = city
        self.org = org
        self.person = person

    def c(self, seq):
        return self.r.choice(seq)

    def number_phrase(self) -> str:
        unit, lo, hi = self.c(UNITS)
        n = self.r.randint(lo, hi)
        return f"{fa_grouped(n)} {unit}"

    def sentence(self) -> str:
        r, c = self.r, self.c
        k = r.randrange(9)
        if k == 0:
            return (f"{c(TOPICS)} {c(TOPIC_ADJ)} {c(TIME_PHRASES)} در {c(PLACES_GENERIC)} "
                    f"استان {self.province} {c(VERBS_PAST)}.")
        if k == 1:
            return (f"{c(CONNECTORS)}، {self.number_phrase()} {c(TOPICS)} {c(PURPOSES)} "
                    f"{c(VERBS_PAST)}.")
        if k == 2:
            return (f"{self.c(ROLES)} {self.org} {self.province} {c(SAY_VERBS)} که "
                    f"{c(OPINION_NOUNS)} به {c(['افزایش', 'بهبود', 'تقویت', 'گسترش'])} "
                    f"{c(TOPICS)} {c(['کمک کرده است', 'انجامیده است', 'منجر شده است'])}.")
        if k == 3:
            return (f"به گفتهٔ {self.person}، {c(TOPICS)} در شهرستان {self.city} "
                    f"{fa(r.randint(2, 95))} درصد {c(['رشد', 'افزایش', 'کاهش', 'پیشرفت'])} "
                    f"داشته است.")
        if k == 4:
            return (f"{c(CONNECTORS)} {c(TOPICS)} {c(PURPOSES)} {c(TIME_PHRASES)} "
                    f"{c(VERBS_FUTURE)}.")
        if k == 5:
            return (f"این طرح با اعتباری افزون بر {fa_grouped(r.randint(2, 950))} میلیارد "
                    f"{c(['ریال', 'تومان'])} در {c(PLACES_GENERIC)} {c(VERBS_PAST)}.")
        if k == 6:
            return (f"او {c(OPINION_NOUNS)} را از {c(['نیازهای اصلی', 'اولویت‌های', 'برنامه‌های مهم'])} "
                    f"استان برشمرد و {c(SAY_VERBS)} که {c(TOPICS)} {c(VERBS_FUTURE)}.")
        if k == 7:
            return (f"نتیجهٔ این اقدامات، {c(['رشد', 'بهبود', 'کاهش', 'افزایش'])} {c(ADJ_RESULT)} "
                    f"{c(TOPICS)} در {c(PLACES_GENERIC)} بوده است.")
        return (f"{c(CONNECTORS)}، نشست هماهنگی {c(TOPICS)} با حضور نمایندگان {self.province} "
                f"در مجلس و مدیران {c(ORGS)} در {self.city} {c(VERBS_PAST)}.")

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.r.randint(2, 5)))

    def bullet_list(self) -> str:
        return "\n".join(
            f"- {self.number_phrase()} {self.c(TOPICS)} {self.c(VERBS_PAST)}."
            for _ in range(self.r.randint(2, 5))
        )

    def link(self) -> str:
        path = f"{self.c(LINK_PATHS)}/{self.r.randint(1, 9999)}"
        return f"[{self.c(LINK_TEXTS)}](https://example.ir/{path})"

    def paragraph_with_link(self) -> str:
        return (f"{self.paragraph()} {self.c(LINK_TEXTS)} این طرح در "
                f"{self.link()} منتشر شده است.")

    def body(self, target_words: int) -> str:
        blocks: list[str] = [self.paragraph()]
        words = len(blocks[0].split())
        links_left = self.r.randint(1, 3)
        lists_left = self.r.randint(1, 2)
        headings = self.r.sample(HEADINGS, 6)
        while words < target_words:
            roll = self.r.random()
            if roll < 0.18 and not blocks[-1].startswith("## ") and headings:
                block = "## " + headings.pop()
            elif roll < 0.28 and lists_left:
                lists_left -= 1
                block = self.bullet_list()
            elif roll < 0.45 and links_left:
                links_left -= 1
                block = self.paragraph_with_link()
            else:
                block = self.paragraph()
            if words + len(block.split()) > MAX_WORDS:
                block = self.sentence()
                if words + len(block.split()) > MAX_WORDS:
                    break
            blocks.append(block)
            words += len(block.split())
        if blocks[-1].startswith("## "):
            blocks.pop()
        return "\n\n".join(blocks) + "\n"


# --------------------------------------------------------------------------------------
# Articles


def article(i: int, used_slugs: set[str]) -> tuple[str, int, str]:
    """Returns (desk key, id, file text) of article i."""
    r = random.Random(f"{SEED}-{i}")
    desk = DESKS[r.randrange(len(DESKS))][0]
    news_id = 100000 + i * 7 + r.randrange(7)  # unique: one slot of 7 per article
    province = r.choice(PROVINCES)
    city = r.choice(CITIES)
    org = r.choice(ORGS)
    role = r.choice(ROLES)
    person = f"{r.choice(FIRST_NAMES)} {r.choice(LAST_NAMES)}"
    w = Writer(r, province, city, org, person)

    explicit_slug = None
    if r.random() < 0.1:
        explicit_slug = f"{simple_slug(province)}-{news_id}"
    for attempt in range(50):
        pattern = r.choice(TITLE_PATTERNS)
        unit, lo, hi = r.choice(UNITS)
        title = z(pattern).format(
            change=r.choice(CHANGES), pct=fa(r.randint(3, 90)), topic=r.choice(TOPICS),
            province=province, place=r.choice(PLACES_GENERIC), verb=r.choice(VERBS_PAST),
            count=fa_grouped(r.randint(2, min(hi, 5000))), unit=unit, city=city,
            role=role, org=org, verb_future=r.choice(VERBS_FUTURE), adj=r.choice(TOPIC_ADJ),
            event=r.choice(EVENTS), rank=r.choice(RANKS),
        )
        if explicit_slug is not None:
            break
        slug = simple_slug(title)
        if slug not in used_slugs:
            used_slugs.add(slug)
            break
    else:  # titles kept colliding: give this release its own slug
        explicit_slug = f"release-{news_id}"
    if explicit_slug is not None:
        used_slugs.add(explicit_slug)

    lead = (f"{role} {org} {province} از {r.choice(TOPICS)} {r.choice(TOPIC_ADJ)} در "
            f"{r.choice(PLACES_GENERIC)} و {r.choice(TOPICS)} {r.choice(TIME_PHRASES)} خبر داد.")

    if r.random() < 0.2:
        a, b = r.sample(AUTHORS, 2)
        author = f"[{a}, {b}]"
    else:
        author = r.choice(AUTHORS)

    moment = START + dt.timedelta(minutes=r.randrange(SPAN_MINUTES))
    # Office hours, so no date falls in a daylight saving gap (Iran changed clocks at midnight).
    moment = moment.replace(hour=r.randint(7, 21))
    jalali = i % 2 == 1
    lines = [
        "---",
        f"title: {yaml_text(title)}",
        f"lead: {yaml_text(lead)}",
        f"author: {author}",
        f"desk: {desk}",
        f"date: {format_date(moment, jalali)}",
    ]
    if r.random() < 0.25:
        later = moment + dt.timedelta(minutes=r.randint(30, 60 * 24 * 10))
        lines.append(f"updated: {format_date(later, r.random() < 0.5)}")
    lines.append(f"id: {news_id}")
    tags = r.sample(TAGS, r.randint(2, 6))
    lines.append("tags: [" + ", ".join(tags) + "]")
    n_metrics = r.choice([0, 0, 1, 2, 2, 3, 4])
    if n_metrics:
        lines.append("metrics:")
        for _ in range(n_metrics):
            unit, lo, hi = r.choice(UNITS)
            lines.append(f"  - label: {yaml_text(r.choice(TOPICS) + ' ' + r.choice(['در استان', 'در شهرستان ' + city, 'امسال', 'نسبت به سال گذشته']))}")
            roll = r.random()
            if roll < 0.15:
                lines.append(f"    value: {r.randint(lo * 10, hi * 10) / 10}")
            elif roll < 0.3:
                lines.append(f'    value: "{fa_grouped(r.randint(lo, hi))}"')
            else:
                lines.append(f"    value: {r.randint(lo, hi)}")
            lines.append(f"    unit: {unit}")
            if r.random() < 0.6:
                lines.append(f"    change: {r.choice([-1, 1]) * r.randint(1, 80)}")
            if r.random() < 0.4:
                y = to_jalali(moment.date())[0]
                lines.append(f"    period: {fa(y - 1)}–{fa(y)}")
            if r.random() < 0.5:
                lines.append(f"    good: {r.choice(['up', 'down'])}")
    if r.random() < 0.4:
        lines.append("image:")
        lines.append(f"  src: images/{desk}-{news_id}.jpg")
        lines.append(f"  alt: {yaml_text(r.choice(IMAGE_ALTS) + ' در ' + city)}")
        if r.random() < 0.7:
            lines.append(f"  caption: {yaml_text(r.choice(IMAGE_ALTS) + '، ' + province)}")
    if r.random() < 0.1:
        lines.append("draft: false")
    if explicit_slug is not None:
        lines.append(f"slug: {explicit_slug}")
    if r.random() < 0.3:
        lines.append("extra:")
        lines.append(f"  source: {yaml_text(r.choice(SOURCES))}")
    lines.append("---")
    text = "\n".join(lines) + "\n" + w.body(r.randint(MIN_WORDS, MAX_WORDS))
    return desk, news_id, text


def site_yaml() -> str:
    out = [
        "# Generated by bench/generate.py; do not edit.",
        "title: خبرگزاری آزمایشی چاپار",
        "description: یک خبرگزاری ساختگی برای سنجش سرعت ساخت چاپار.",
        "base_url: https://bench.example.ir/",
        "timezone: Asia/Tehran",
        "page_size: 10",
        "default_author: روابط عمومی",
        "desks:",
    ]
    for key, name, description in DESKS:
        out += [f"  - key: {key}", f"    name: {name}", f"    description: {description}"]
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 3 or not argv[1].isdigit() or int(argv[1]) < 1:
        print(f"usage: {argv[0]} N OUT_DIR   (N ≥ 1 articles)", file=sys.stderr)
        return 2
    n, out = int(argv[1]), argv[2]
    content = os.path.join(out, "content")
    if os.path.isdir(content):
        shutil.rmtree(content)
    for key, _, _ in DESKS:
        os.makedirs(os.path.join(content, key), exist_ok=True)
    with open(os.path.join(out, "site.yaml"), "w", encoding="utf-8", newline="\n") as f:
        f.write(site_yaml())
    used_slugs: set[str] = set()
    for i in range(n):
        desk, news_id, text = article(i, used_slugs)
        path = os.path.join(content, desk, f"{news_id}.md")
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
