"""parse_article over the bundled sample corpus: every kind of page the sample site has."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.article import Article
from indexer.parse import parse_article

SITE = "https://www.bloomcare-health.example"

# (page, title, text start, text end, date, category, prev, next, first Recommend link)
CASES = [
    (  # current template
        "postpartum/newborn-sleep-tips",
        "Getting Enough Sleep With a Newborn",
        "Newborns sleep up to sixteen h",
        "sign of postpartum depression.",
        "2020-08-16",
        "Postpartum",
        "/postpartum/postpartum-depression-signs.html",
        "/postpartum/zh-chanhou-yaotong.html",
        "/gynecology/ovarian-cysts-explained.html",
    ),
    (  # older template version of the same article
        "postpartum/newborn-sleep-tips-old",
        "Getting Enough Sleep With a Newborn",
        "Newborns sleep up to sixteen h",
        "sign of postpartum depression.",
        "2020-08-16",
        "Postpartum",
        "/postpartum/postpartum-depression-signs.html",
        "/postpartum/zh-chanhou-yaotong.html",
        "/gynecology/ovarian-cysts-explained.html",
    ),
    (  # GBK
        "menstruation/zh-tongjing-huanjie",
        "痛经怎么缓解？这些方法值得一试",
        "痛经是指月经期间或前后出现的下腹部疼痛",
        "明确原因后再治疗。",
        "2018-10-10",
        "经期",
        "/menstruation/irregular-periods.html",
        "/menstruation/period-cramps-relief.html",
        "/postpartum/zh-chanhou-yinshi.html",
    ),
    (  # GB2312
        "nutrition/zh-yunfu-bugai",
        "孕妇补钙：补多少、怎么补",
        "钙是胎儿骨骼和牙齿发育的重要原料。",
        "按推荐量补充是安全的。",
        "2020-12-03",
        "营养",
        "/nutrition/fiber-and-constipation-relief.html",
        "/nutrition/healthy-snacks-during-pregnancy.html",
        "/gynecology/zh-gongjingai-shaicha.html",
    ),
    (  # no <h1>
        "menstruation/missed-period-causes",
        "Missed Period but Not Pregnant? Possible Reasons",
        "A missed period is usually the",
        "hanges or unusual hair growth.",
        "2021-01-07",
        "Menstruation",
        "/menstruation/heavy-menstrual-bleeding.html",
        "/menstruation/zh-jingqi-yinshi.html",
        "/menstruation/amenorrhea-when-periods-stop.html",
    ),
    (  # broken markup
        "menstruation/first-period-guide-for-teens",
        "Your First Period: A Guide for Teens and Parents",
        "Most girls get their first per",
        "keeps a teen home from school.",
        "2019-08-29",
        "Menstruation",
        "/menstruation/zh-hant-jingqian-jingqi-yinshi.html",
        "/menstruation/zh-yuejing-butiao.html",
        "/menstruation/irregular-periods.html",
    ),
    (  # broken markup
        "pregnancy/prenatal-checkup-schedule",
        "What to Expect at Prenatal Checkups",
        "Regular prenatal care allows p",
        "r hands, or reduced movements.",
        "2019-11-14",
        "Pregnancy",
        "/pregnancy/prenatal-vitamins-folic-acid.html",
        "/pregnancy/exercise-during-pregnancy.html",
        "/pregnancy/heartburn-in-pregnancy.html",
    ),
    (  # broken markup, Chinese date line
        "gynecology/zh-gongjingai-shaicha",
        "宫颈癌筛查：HPV检测和TCT怎么做",
        "宫颈癌是少数可以通过规律筛查有效预防的癌症之一。",
        "不要等到下一次筛查。",
        "2019-07-31",
        "妇科",
        "/gynecology/hpv-vaccine-facts.html",
        "/gynecology/uterine-fibroids-overview.html",
        "/menstruation/zh-jingqi-yinshi.html",
    ),
    (  # CRLF line ends, first of its chain (no prev)
        "menstruation/premenstrual-syndrome-pms",
        "Understanding PMS and How to Manage It",
        "Premenstrual syndrome (PMS) is",
        "ou simply have to put up with.",
        "2017-10-18",
        "Menstruation",
        None,
        "/menstruation/amenorrhea-when-periods-stop.html",
        "/menstruation/period-cramps-relief.html",
    ),
]

BOILERPLATE = [
    "Home >",
    "Pregnancy Postpartum",
    "BloomCare Health",
    "Search articles",
    "Advertisement",
    "Share to",
    "Recommend",
    "Copyright",
    "Disclaimer",
    "<<",
    ">>",
    "上一篇",
    "下一篇",
]


def _parse(corpus_dir: Path, page: str) -> Article:
    path = corpus_dir / f"{page}.html"
    return parse_article(path.read_bytes(), source=str(path), article_id=page, url=f"/{page}.html")


@pytest.mark.parametrize(
    ("page", "title", "start", "end", "date", "category", "prev", "nxt", "rec"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_sample_page(
    corpus_dir: Path,
    page: str,
    title: str,
    start: str,
    end: str,
    date: str,
    category: str,
    prev: str | None,
    nxt: str,
    rec: str,
) -> None:
    article = _parse(corpus_dir, page)
    assert article.title == title
    assert article.text.startswith(start)
    assert article.text.endswith(end)
    assert article.date == date
    assert article.category == category
    assert article.links.prev == (SITE + prev if prev else None)
    assert article.links.next == SITE + nxt
    assert article.links.recommended[0] == SITE + rec
    assert len(article.links.recommended) >= 10
    for phrase in BOILERPLATE:
        assert phrase not in article.text, phrase
    assert title not in article.paragraphs
    assert not any(p.startswith(("Date:", "发布时间")) for p in article.paragraphs)


def test_menu_breadcrumb_and_recommend_titles_absent(corpus_dir: Path) -> None:
    article = _parse(corpus_dir, "postpartum/newborn-sleep-tips")
    for phrase in ("Gynecology", "Nutrition", "Ovarian Cysts: When to Worry", "Shop organic baby formula"):
        assert phrase not in article.text


def test_every_sample_page_parses(corpus_dir: Path) -> None:
    pages = sorted(corpus_dir.rglob("*.html"))
    assert len(pages) >= 80
    for path in pages:
        article = parse_article(path.read_bytes(), source=str(path))
        assert article.title and len(article.text) > 200, path
        assert article.date is not None, path
        assert "Advertisement" not in article.text, path
