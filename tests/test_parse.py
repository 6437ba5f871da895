"""parse_article on small pages of other sites' shapes: JSON-LD, breadcrumbs, dates, no article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.errors import CorpusError, NoArticleError
from indexer.extract.metadata import normalise_date
from indexer.extract.profile import load_profile
from indexer.parse import parse_article
from tests.conftest import page_html

LONG = (
    "Iron needs rise sharply in the second and third trimesters because blood volume expands and the baby "
    "builds its own stores, so doctors often check haemoglobin at the first visit and again later on."
)


def generic_page(body: str, head: str = "", title: str = "Iron in Pregnancy | Health Daily") -> str:
    return (
        f"<html lang='en'><head><title>{title}</title>{head}</head><body>"
        "<nav><a href='/'>Home</a><a href='/news'>News</a><a href='/about'>About</a></nav>"
        f"{body}"
        "<aside class='sidebar'><h3>Most popular</h3><a href='/x'>Other story one</a> <a href='/y'>Other story two</a></aside>"
        "<footer><p>© 2024 Health Daily. All rights reserved.</p></footer></body></html>"
    )


def test_json_ld_headline_date_author_and_section() -> None:
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Health Daily"},
            {
                "@type": "NewsArticle",
                "headline": "Iron in Pregnancy",
                "datePublished": "2021-05-04T08:00:00+02:00",
                "author": [{"@type": "Person", "name": "Ana Ruiz"}],
                "articleSection": "Nutrition",
            },
        ],
    }
    head = f'<script type="application/ld+json"><![CDATA[{json.dumps(ld)}]]></script>'
    article = parse_article(generic_page(f"<article><p>{LONG}</p><p>{LONG}</p></article>", head), source="p.html")
    assert article.title == "Iron in Pregnancy"
    assert article.date == "2021-05-04"
    assert article.author == "Ana Ruiz"
    assert article.category == "Nutrition"
    assert "Other story" not in article.text and "All rights reserved" not in article.text


def test_json_ld_article_body_when_markup_has_no_text() -> None:
    ld = {"@type": "Article", "headline": "Script-rendered", "articleBody": f"{LONG}\n\n{LONG}"}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    article = parse_article(generic_page("<div id='app'></div>", head), source="p.html")
    assert article.title == "Script-rendered"
    assert article.paragraphs == (LONG, LONG)


def test_breadcrumb_category_skips_home_and_title() -> None:
    body = (
        "<ol class='breadcrumbs'><li><a href='/'>Home</a></li><li><a href='/health'>Health</a></li>"
        "<li><a href='/health/pregnancy'>Pregnancy</a></li><li>Iron in Pregnancy</li></ol>"
        f"<div class='post'><h1>Iron in Pregnancy</h1><p>{LONG}</p><p>{LONG}</p></div>"
    )
    article = parse_article(generic_page(body), source="p.html")
    assert article.category == "Pregnancy"
    assert article.title == "Iron in Pregnancy"
    assert "Home" not in article.text


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("发布时间：2019年3月2日 来源：健康网", "2019-03-02"),
        ("2019-03-02 10:31 作者：李华", "2019-03-02"),
        ("發佈日期: 2019/3/2", "2019-03-02"),
        ("Posted on March 2, 2019 by Jane", "2019-03-02"),
        ("Published 2 Mar 2019", "2019-03-02"),
    ],
)
def test_date_line_below_the_headline(line: str, date: str) -> None:
    body = f"<div class='post'><h1>Iron in Pregnancy</h1><div class='meta'>{line}</div><p>{LONG}</p><p>{LONG}</p></div>"
    article = parse_article(generic_page(body), source="p.html")
    assert article.date == date
    assert line not in article.text


def test_normalise_date_rejects_impossible_dates() -> None:
    assert normalise_date("2019-13-40") is None
    assert normalise_date("no date here") is None


def test_title_site_name_removed() -> None:
    head = "<meta property='og:site_name' content='Health Daily'>"
    article = parse_article(generic_page(f"<div><p>{LONG}</p><p>{LONG}</p></div>", head), source="p.html")
    assert article.title == "Iron in Pregnancy"


def test_chinese_title_with_site_suffix() -> None:
    body = f"<div class='main'><h1>孕期补铁</h1><p>{'孕期需要更多的铁，饮食中可以多吃红肉和绿叶蔬菜。' * 8}</p></div>"
    article = parse_article(generic_page(body, title="孕期补铁_营养频道_健康网"), source="p.html")
    assert article.title == "孕期补铁"
    assert article.lang == "en" or article.lang == "zh"


def test_comments_are_not_article_text() -> None:
    comment = "I tried this and it worked very well for me, thank you so much for writing it, really. " * 3
    body = (
        f"<div class='content'><p>{LONG}</p><p>{LONG}</p></div>"
        f"<div id='comments'><p>{comment}</p><p>{comment}</p><p>{comment}</p></div>"
    )
    article = parse_article(generic_page(body), source="p.html")
    assert "thank you" not in article.text


def test_tables_and_lists_inside_the_article_are_kept() -> None:
    body = (
        f"<article><p>{LONG}</p><ul><li>Red meat and liver</li><li>Lentils and beans</li></ul>"
        "<table><tr><th>Food</th><th>Iron (mg)</th></tr><tr><td>Spinach</td><td>2.7</td></tr></table>"
        f"<p>{LONG}</p></article>"
    )
    article = parse_article(generic_page(body), source="p.html")
    for text in ("Lentils and beans", "Spinach", "2.7"):
        assert text in article.text


def test_page_without_article_is_skipped_with_a_reason() -> None:
    body = "<div class='links'>" + "".join(f"<a href='/p{i}'>Story {i}</a> " for i in range(30)) + "</div>"
    with pytest.raises(NoArticleError) as err:
        parse_article(generic_page(body), source="index.html")
    assert "no article text" in err.value.reason
    assert err.value.source == "index.html"


def test_site_profile_selectors_win(tmp_path: Path) -> None:
    (tmp_path / "artsearch.toml").write_text(
        '[extract]\ntitle = ".headline"\nbody = ".story"\ndate = ".when"\nexclude = [".promo"]\n', encoding="utf-8"
    )
    profile = load_profile(tmp_path)
    assert profile is not None
    html = generic_page(
        "<div class='headline'>Profile Title</div><span class='when'>2020-01-02</span>"
        f"<div class='story'><p>{LONG}</p><p class='promo'>Buy our book now</p></div>"
        f"<div class='other'><p>{LONG} Unrelated.</p><p>{LONG}</p></div>"
    )
    article = parse_article(html, source="p.html", profile=profile)
    assert article.title == "Profile Title"
    assert article.date == "2020-01-02"
    assert article.paragraphs == (LONG,)


def test_bad_site_profile_is_a_corpus_error(tmp_path: Path) -> None:
    (tmp_path / "artsearch.toml").write_text('[extract]\nbody = "div[["\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="bad CSS selector"):
        load_profile(tmp_path)
    (tmp_path / "artsearch.toml").write_text('[extract]\nbodyy = "div"\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="unknown"):
        load_profile(tmp_path)


def test_no_profile_file() -> None:
    assert load_profile(Path(__file__).parent) is None


def test_sample_template_helper_page() -> None:
    article = parse_article(page_html(), source="t.html")
    assert article.title == "A Test Article"
    assert article.category == "Category"


def test_build_pipeline_uses_the_corpus_profile(corpus_copy: Path) -> None:
    from indexer.corpus import walk_corpus
    from indexer.pipeline import parse_pages

    (corpus_copy / "artsearch.toml").write_text('[extract]\ntitle = ".info"\n', encoding="utf-8")
    pages = [p for p in walk_corpus(corpus_copy, []) if p.id == "postpartum/newborn-sleep-tips"]
    [result] = list(parse_pages(pages, total=1, workers=1))
    assert result.article is not None
    assert result.article.title.startswith("Date: 2020-08-16")


@pytest.mark.parametrize(
    ("name", "headline", "page_title", "expected"),
    [
        ("Health Daily", "Iron in Pregnancy", "Iron in Pregnancy - Health Daily", "Iron in Pregnancy"),
        ("Iron deficiency", "a lack of iron in the blood", "Iron deficiency - Encyclopedia", "Iron deficiency"),
    ],
)
def test_json_ld_name_or_headline_by_the_page_title(name: str, headline: str, page_title: str, expected: str) -> None:
    ld = {"@type": "NewsArticle", "name": name, "headline": headline}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    html = generic_page(f"<article><p>{LONG}</p><p>{LONG}</p></article>", head, title=page_title)
    assert parse_article(html, source="p.html").title == expected


@pytest.mark.parametrize(
    ("byline", "author"),
    [
        ("<p class='byline'>By Jane Doe</p>", "Jane Doe"),
        ("<span class='author-name'>Written by Li Hua | March 2, 2019</span>", "Li Hua"),
        ("<a rel='author' href='/u/1'>Ana Ruiz</a> <time>2020-01-01</time>", "Ana Ruiz"),
        ("<div class='post-author'>Kim Lee May 20, 2019</div>", "Kim Lee"),
    ],
)
def test_byline_element_gives_the_author(byline: str, author: str) -> None:
    body = f"<div class='post'><h1>Iron in Pregnancy</h1>{byline}<p>{LONG}</p><p>{LONG}</p></div>"
    article = parse_article(generic_page(body), source="p.html")
    assert article.author == author
    assert author not in article.text


def test_meta_author_wins_over_byline() -> None:
    body = f"<div class='post'><p class='byline'>By Somebody Else</p><p>{LONG}</p><p>{LONG}</p></div>"
    article = parse_article(generic_page(body, "<meta name='author' content='Jane Doe'>"), source="p.html")
    assert article.author == "Jane Doe"


def test_build_refuses_a_bad_site_profile(corpus_copy: Path, tmp_path: Path) -> None:
    from search import Engine

    (corpus_copy / "artsearch.toml").write_text('[extract]\nbody = ":::"\n', encoding="utf-8")
    engine = Engine(tmp_path / "index")
    with pytest.raises(CorpusError, match="bad CSS selector"):
        engine.build(corpus_copy, workers=1)
    engine.close()


@pytest.mark.parametrize(
    ("head", "after"),
    [
        ('<link rel="canonical" href="https://[::1/x">', ""),
        ('<base href="https://h]/">', ""),
        ("", '<div class="recommend"><a href="https://[bad/x">One related</a><a href="/b.html">Two related</a></div>'),
        ("", '<p class="nav-links">Prev: <a href="http://[x/p">Prev article</a></p>'),
    ],
)
def test_a_malformed_url_is_passed_over_not_the_page(head: str, after: str) -> None:
    """urljoin rejects hosts such as ``https://[x``: the page is still an article, the URL is not used."""
    article = parse_article(page_html(head=head, after=after).encode(), source="p.html", article_id="p", url="/p.html")
    assert article.title == "A Test Article" and "calcium" in article.text
    assert article.url == "/p.html"
    assert all("[" not in u and "]" not in u for u in (*article.links.recommended, article.links.prev or ""))
    if "/b.html" in after:
        assert article.links.recommended == ("/b.html",)
