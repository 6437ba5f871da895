"""The generic extractor's heuristics, each on a small page of its own shape."""

from __future__ import annotations

import pytest

from indexer.errors import NoArticleError
from indexer.parse import parse_article
from tests.test_parse import LONG, generic_page

PROSE = [
    "Hotel bosses say blankets are not always washed between stays, even in expensive rooms, so guests "
    "should ask for fresh bedding or take the blanket off the bed when they arrive in the evening.",
    "Wooden luggage racks are a favourite place for bed bugs, which is why experienced travellers leave "
    "their bags on the floor or on a metal stand and keep them zipped for the whole of their stay.",
    "Rooms are priced by what they cost to build: the old rule says a night should cost a thousandth "
    "of the money invested in the room, which is why new hotels charge more than older ones nearby.",
]


def _captions(count: int, words: str) -> str:
    return "".join(
        f"<li><h2>{i}/{count} Picture {i}</h2><img src='/g{i}.jpg'>"
        f"<p>{words} number {i}, with a long caption under the photograph that tells the whole story of "
        "the picture in two sentences. It is a gallery caption, not a paragraph of the article.</p></li>"
        for i in range(1, count + 1)
    )


def test_gallery_inside_the_article_body_is_dropped() -> None:
    body = (
        "<div itemprop='articleBody'>"
        f"<p>{PROSE[0]}</p><p>{PROSE[1]}</p>"
        f"<div class='widget type-gallery'><h2>Business news in pictures</h2><ul class='legends'>{_captions(8, 'Market story')}</ul></div>"
        f"<p>{PROSE[2]}</p></div>"
    )
    article = parse_article(generic_page(body), source="p.html")
    assert "Market story" not in article.text
    assert all(p in article.text for p in PROSE)


def test_prose_in_a_block_named_like_boilerplate_is_kept() -> None:
    body = f"<div class='share-wrapper'><h1>Iron in Pregnancy</h1>{''.join(f'<p>{p}</p>' for p in PROSE)}</div>"
    article = parse_article(generic_page(body), source="p.html")
    assert all(p in article.text for p in PROSE)


def test_figure_caption_in_a_wrapper_named_like_boilerplate_is_kept() -> None:
    figure = (
        "<div class='supplemental-image'><div class='image'><img src='/bed.jpg'></div>"
        "<div class='caption-wrapper'>Even posh hotels might not wash a blanket between stays</div></div>"
    )
    body = f"<article><p>{PROSE[0]}</p>{figure}<p>{PROSE[1]}</p><p>{LONG}</p></article>"
    article = parse_article(generic_page(body), source="p.html")
    assert "Even posh hotels might not wash a blanket" in article.text


def test_linked_image_teaser_in_a_widget_is_not_a_figure() -> None:
    teaser = (
        "<div class='promo-widget'><a href='/other'><img src='/t.jpg'></a>"
        "<div class='caption'><a href='/other'>Ten hotel secrets you never knew about</a></div></div>"
    )
    body = f"<article><p>{PROSE[0]}</p>{teaser}<p>{PROSE[1]}</p><p>{LONG}</p></article>"
    article = parse_article(generic_page(body), source="p.html")
    assert "hotel secrets" not in article.text


def test_picture_post_with_a_short_caption_is_an_article() -> None:
    body = "<article><h2>Sunrise at the lake</h2><img src='/lake.jpg'></article>"
    article = parse_article(generic_page(body, title="Sunrise at the lake"), source="p.html")
    assert article.paragraphs == ("Sunrise at the lake",)
    assert article.title == "Sunrise at the lake"


@pytest.mark.parametrize(
    "body",
    [
        "<article><h2>Sunrise at the lake</h2></article>",  # no picture: too little text to be an article
        "<article><img src='/lake.jpg'><p>Lake</p></article>",  # a picture without a caption
        "".join(f"<article><img src='/t{i}.jpg'><h2>Story {i} title</h2></article>" for i in range(3)),  # teasers
        "<div><h2>Sunrise at the lake</h2><img src='/lake.jpg'></div>",  # nothing marks an article
    ],
)
def test_short_pages_without_a_marked_picture_post_are_skipped(body: str) -> None:
    with pytest.raises(NoArticleError, match="no article text"):
        parse_article(generic_page(body), source="p.html")


def test_screen_reader_only_text_is_not_article_text() -> None:
    body = (
        f"<article><h2 class='sr-only'>Share this story</h2><p>{PROSE[0]}</p>"
        f"<a href='#rest' class='visually-hidden skip-link'>Continue reading the main story</a>"
        f"<p>{PROSE[1]}</p><span class='screen-reader-text'>Opens in a new window</span><p>{PROSE[2]}</p></article>"
    )
    article = parse_article(generic_page(body), source="p.html")
    for hidden in ("Share this story", "Continue reading", "new window"):
        assert hidden not in article.text
    assert all(p in article.text for p in PROSE)


ZH = [
    "孕妇在怀孕期间需要补充更多的铁元素，因为血容量增加，胎儿也需要储存铁。",
    "医生建议多吃红肉、动物肝脏和深绿色蔬菜，同时搭配富含维生素C的水果。",
    "如果检查发现贫血，医生可能会开具铁剂，要按时服用，不要自行停药。",
    "喝茶和咖啡会影响铁的吸收，最好在饭后两小时再喝。",
]


@pytest.mark.parametrize(
    ("heading", "comment"),
    [
        ("<h3>网友评论</h3>", "网友{i}：这篇文章写得很好，我怀孕的时候也是这样补铁的，效果不错，谢谢分享。"),
        ("<div class='hd'><span>3 Responses</span></div>", "Reader {i}: I tried this during my pregnancy, and it worked well for me, thank you."),
    ],
)
def test_comment_section_found_by_its_heading(heading: str, comment: str) -> None:
    comments = "".join(f"<div class='item'><p>{comment.format(i=i)}</p></div>" for i in range(5))
    body = (
        f"<div class='wrap'><h1>孕期补铁指南</h1><div class='con'>{''.join(f'<p>{p}</p>' for p in ZH)}</div>"
        f"<div class='pinglun'>{heading}{comments}</div></div>"
    )
    article = parse_article(generic_page(body, title="孕期补铁指南"), source="p.html")
    assert article.paragraphs == tuple(ZH)


def test_article_section_called_comments_is_kept() -> None:
    body = (
        f"<article><h1>Iron in Pregnancy</h1><div class='body'><p>{PROSE[0]}</p><h2>Comments from readers</h2>"
        f"<p>{PROSE[1]}</p><p>{PROSE[2]}</p></div></article>"
    )
    article = parse_article(generic_page(body), source="p.html")
    assert all(p in article.text for p in PROSE)


def test_summary_header_inside_the_article_is_kept() -> None:
    summary = "Neuroscience tells us that most of the work done by our brains happens on an unconscious level. New research investigates."
    body = (
        "<div itemprop='articleBody'>"
        f"<header>{summary}</header>"
        f"<header><h2>Iron in Pregnancy</h2><a href='/authors/jane'>Jane Smith</a> <time>2024-01-02</time></header>"
        f"<p>{PROSE[0]}</p><p>{PROSE[1]}</p><p>{PROSE[2]}</p></div>"
    )
    article = parse_article(generic_page(body), source="p.html")
    assert article.paragraphs[0] == summary
    assert "Jane Smith" not in article.text


def _block(paragraphs: list[str]) -> str:
    return "<div class='text'>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div>"


def test_lead_written_as_a_div_joins_the_article() -> None:
    lead = "A one-season wonder? The club keeps answering its doubters, and the football world is starting to notice"
    body = f"<div class='story'><div class='perex'>{lead}</div>{_block(PROSE)}</div><div class='col'>{LONG}</div>"
    article = parse_article(generic_page(body), source="p.html")
    assert article.paragraphs[0] == lead


def test_subheadings_and_short_lines_between_article_blocks_are_kept() -> None:
    more = [p.replace("Hotel", "Motel").replace("Rooms", "Suites").replace("Wooden", "Metal") for p in PROSE]
    body = (
        f"<div class='story'>{_block(PROSE + more)}<h2>What the owners say</h2><p>In short</p>"
        "<ul><li>Ask for fresh sheets</li><li>Check the peephole</li></ul>"
        f"<div class='share-tools'><a href='/f'>Facebook</a> <a href='/t'>Twitter</a></div><p>{LONG}</p></div>"
    )
    article = parse_article(generic_page(body), source="p.html")
    for text in ("What the owners say", "In short", "Check the peephole", LONG):
        assert text in article.text
    assert "Facebook" not in article.text


def test_prose_with_every_paragraph_in_its_own_wrapper_is_kept() -> None:
    blocks = "".join(f"<div class='text-block'><div class='rich-text'><p>{p}</p></div></div>" for p in PROSE)
    body = f"<div class='share-wrapper'><h1>Iron in Pregnancy</h1>{blocks}</div>"
    article = parse_article(generic_page(body), source="p.html")
    assert all(p in article.text for p in PROSE)


def test_teaser_cards_with_one_excerpt_each_are_not_prose() -> None:
    cards = "".join(
        f"<div class='card'><img src='/c{i}.jpg'><h4>Other story {i}</h4><p>{p}</p></div>" for i, p in enumerate(PROSE)
    )
    body = f"<article><p>{LONG}</p><p>{LONG[::-1]}</p><p>{LONG}</p><div class='widget-extra'>{cards}</div></article>"
    article = parse_article(generic_page(body), source="p.html")
    assert not any(p in article.text for p in PROSE)


def test_section_whose_heading_only_starts_like_comments_is_kept() -> None:
    body = f"<div class='wrap'><h1>孕期补铁指南</h1><div class='con'><h2>评论员文章</h2>{''.join(f'<p>{p}</p>' for p in ZH)}</div></div>"
    article = parse_article(generic_page(body, title="孕期补铁指南"), source="p.html")
    assert all(p in article.text for p in ZH)


def test_a_long_unlinked_block_between_article_blocks_stays_out() -> None:
    about = "About us: Health Daily is an independent site run by nurses and doctors since 1999. " * 5
    body = (
        f"<div class='story'>{_block(PROSE + PROSE[::-1])}<div class='box'><div>{about}</div><div>{about}</div></div>"
        f"<h2>What the owners say</h2><p>{LONG}</p></div>"
    )
    article = parse_article(generic_page(body), source="p.html")
    assert "independent site" not in article.text
    assert "What the owners say" in article.text
