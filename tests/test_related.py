"""Related articles: never the article itself or its duplicates; links and category break text ties;
``--all`` equals the per-article calls; ``--text`` and ``--file``; errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.fingerprint import hamming, near_duplicates, simhash
from search import Engine
from search.cli import cli
from search.related import same_title, title_key

SHARED = (
    "Calcium and vitamin D keep bones strong during pregnancy and breastfeeding. Dairy, tofu, sardines "
    "and leafy greens are good sources of calcium, and sunlight helps the body make vitamin D."
)

LONG = (
    "During pregnancy the baby draws calcium from the mother's blood to build its skeleton, and during "
    "breastfeeding about two hundred milligrams a day pass into the milk. If meals do not supply enough, "
    "the body releases calcium from the mother's own bones. Bone density usually recovers within months "
    "of weaning, but a low intake over several pregnancies can leave lasting weakness. Yogurt at breakfast, "
    "cheese with lunch, a glass of fortified soy drink and a dish of greens at dinner cover most needs, and "
    "a supplement can close the gap when the doctor advises one. Caffeine and very salty food increase the "
    "calcium lost in urine, so it helps to keep both moderate while nursing."
)


def page(title: str, paragraphs: list[str], *, recommend: tuple[str, ...] = (), category: str = "") -> str:
    """A minimal article page, optionally with a Recommend list and a breadcrumb category."""
    crumb = (
        f'<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/c/">{category}</a> &gt; {title}</div>'
        if category
        else ""
    )
    recs = "".join(f'<li><a href="{href}">{href}</a></li>' for href in recommend)
    box = f'<div class="recommend"><h3>Recommend</h3><ul>{recs}</ul></div>' if recs else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'{crumb}<div class="article"><h1>{title}</h1><div class="content">{body}</div></div>{box}'
        "</body></html>"
    )


def build(tmp_path: Path, pages: dict[str, str]) -> Engine:
    corpus = tmp_path / "corpus"
    for rel, html in pages.items():
        path = corpus / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    engine = Engine(tmp_path / "index")
    engine.build(corpus, workers=1)
    return engine


def tie_corpus(**source_options: object) -> dict[str, str]:
    """A source and two candidates that share exactly the same words with it (a text tie)."""
    return {
        "a/source.html": page("Calcium for Mothers", [SHARED], **source_options),  # type: ignore[arg-type]
        "a/bravo.html": page("Bravo Notes", [SHARED + " Kayaking rivers near mountain villages brings joy."]),
        "b/charlie.html": page(
            "Charlie Notes", [SHARED + " Painting lighthouses amid winter storms brings joy."]
        ),
        "b/other.html": page("Gardening", ["Tomatoes need sun, water and patience to ripen in summer."]),
    }


def ids(engine: Engine, article_id: str, limit: int = 10) -> list[str]:
    return [r.id for r in engine.related(article_id, limit).related]


# -- duplicates and the article itself -----------------------------------------------------


def test_never_itself_nor_exact_duplicates(engine: Engine) -> None:
    hashes = {}
    for article_id in ("postpartum/newborn-sleep-tips", "postpartum/newborn-sleep-tips-old"):
        with engine._lock:
            searcher = engine._open()
            hashes[article_id] = searcher.document(id=article_id)["content_hash"]
    assert len(set(hashes.values())) == 1  # the bundled corpus holds this exact duplicate
    for article_id in hashes:
        found = ids(engine, article_id, 50)
        assert found
        assert not set(found) & set(hashes)


def test_duplicates_collapse_to_one_in_other_lists(engine: Engine) -> None:
    pair = {"postpartum/newborn-sleep-tips", "postpartum/newborn-sleep-tips-old"}
    found = ids(engine, "postpartum/back-pain-treatment", 50)
    assert len(pair & set(found)) == 1


def test_near_duplicate_and_same_title_left_out(tmp_path: Path) -> None:
    text = [
        SHARED,
        LONG,
        "Most women need about one thousand milligrams of calcium a day, spread over meals.",
    ]
    edited = [*text[:2], text[2].replace("spread over meals", "spread across meals")]
    engine = build(
        tmp_path,
        {
            "a/original.html": page("Calcium for Mothers", text),
            "a/edited.html": page("Calcium Guide", edited),
            "a/retitled.html": page("Calcium for Mothers (old)", [SHARED, "Eggs and almonds help too."]),
            "a/different.html": page("Bones", [SHARED, "Walking and dancing also strengthen bones."]),
        },
    )
    assert near_duplicates(simhash("\n\n".join(text)), simhash("\n\n".join(edited)))
    assert ids(engine, "a/original") == ["a/different"]


def test_simhash_separates_different_texts() -> None:
    a = simhash(SHARED + " Tomatoes need sun, water and patience.")
    b = simhash("Tomatoes need sun, water and patience to ripen. Gardening in summer is hard work.")
    assert hamming(a, b) > 6
    assert simhash("") == 0 and not near_duplicates(0, 0)


def test_title_keys() -> None:
    assert title_key("Calcium for Mothers (old)") == "calcium for mothers"
    assert same_title("calcium for mothers", "calcium for mother")
    assert not same_title("calcium for mothers", "iron for teenagers")


# -- links and categories break ties ------------------------------------------------------


def test_text_tie_breaks_by_document_order(tmp_path: Path) -> None:
    engine = build(tmp_path, tie_corpus())
    found = engine.related("a/source").related
    assert [r.id for r in found[:2]] == ["a/bravo", "b/charlie"]
    assert found[0].reasons["similarity"] == found[1].reasons["similarity"]


def test_each_link_kind_is_named_once(engine: Engine) -> None:
    """A prev link seen from both ends (this article's prev, the other's next) is one "prev"."""
    kinds = []
    for listing in engine.related_all(limit=20):
        for related in listing.related:
            link = related.reasons.get("link", [])
            assert len(link) == len(set(link)), (listing.id, related.id, link)
            kinds += link
    assert {"prev", "next", "recommends", "recommended_by"} <= set(kinds)


def test_recommend_link_changes_the_order(tmp_path: Path) -> None:
    engine = build(tmp_path, tie_corpus(recommend=("/b/charlie.html", "/x/not-indexed.html")))
    found = engine.related("a/source").related
    assert [r.id for r in found[:2]] == ["b/charlie", "a/bravo"]
    assert found[0].reasons["linked"] is True and found[0].reasons["link"] == ["recommends"]
    assert found[1].reasons["linked"] is False
    back = engine.related("b/charlie").related
    assert back[0].id == "a/source" and back[0].reasons["link"] == ["recommended_by"]


def test_same_category_changes_the_order(tmp_path: Path) -> None:
    pages = tie_corpus(category="Minerals")
    pages["b/charlie.html"] = pages["b/charlie.html"].replace(
        '<div class="article">',
        '<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/c/">Minerals</a> &gt; x</div>'
        '<div class="article">',
    )
    engine = build(tmp_path, pages)
    found = engine.related("a/source").related
    assert [r.id for r in found[:2]] == ["b/charlie", "a/bravo"]
    assert found[0].reasons["same_category"] is True and found[1].reasons["same_category"] is False


def test_linked_article_without_shared_words_is_found(tmp_path: Path) -> None:
    engine = build(tmp_path, tie_corpus(recommend=("/b/other.html", "/x/not-indexed.html")))
    assert "b/other" in ids(engine, "a/source")


# -- output shape, --all, --text, --file ----------------------------------------------------


def test_output_like_the_recommend_block(engine: Engine) -> None:
    result = engine.related("postpartum/back-pain-treatment", 5).to_dict()
    assert result["id"] == "postpartum/back-pain-treatment"
    first = result["related"][0]
    assert set(first) == {"id", "title", "url", "score", "blurb", "reasons"}
    assert first["blurb"].endswith("...") and len(first["blurb"]) <= 53
    assert first["reasons"]["shared_terms"] and all(t.isalpha() for t in first["reasons"]["shared_terms"])
    assert first["reasons"]["same_category"] is True


def test_site_recommendations_rank_high(engine: Engine) -> None:
    article = engine.get("postpartum/back-pain-treatment")
    recommended = {u.rsplit("/", 2)[-2] + "/" + u.rsplit("/", 1)[-1][:-5] for u in article.links.recommended}
    top = ids(engine, article.id, 5)
    assert set(top) <= recommended


def test_all_equals_per_article_calls(engine: Engine, tmp_path: Path) -> None:
    out = tmp_path / "related.jsonl"
    result = CliRunner().invoke(
        cli, ["-q", "related", "--all", "--out", str(out), "--index", str(engine.index_dir)]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == engine.stats().articles
    assert [line["id"] for line in lines] == sorted(line["id"] for line in lines)
    for line in lines:
        assert line == engine.related(line["id"]).to_dict()


def test_related_to_text(engine: Engine) -> None:
    result = engine.related_to_text("iron deficiency and heavy periods make women tired", 3)
    assert result.id is None
    assert "menstruation/periods-and-iron-deficiency" in [r.id for r in result.related]


def test_related_to_file_leaves_out_the_indexed_copy(engine: Engine, corpus_dir: Path) -> None:
    runner = CliRunner()
    page_file = corpus_dir / "postpartum" / "newborn-sleep-tips-old.html"
    result = runner.invoke(
        cli, ["related", "--file", str(page_file), "--json", "--index", str(engine.index_dir)]
    )
    assert result.exit_code == 0, result.output
    found = [r["id"] for r in json.loads(result.output)["related"]]
    assert found
    assert not {"postpartum/newborn-sleep-tips", "postpartum/newborn-sleep-tips-old"} & set(found)


def test_cli_text_and_plain_output(engine: Engine) -> None:
    result = CliRunner().invoke(
        cli, ["related", "--text", "postpartum back pain", "--limit", "2", "--index", str(engine.index_dir)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("related to the text:")
    assert result.output.count("...") == 2


@pytest.mark.parametrize(
    "args",
    [["no/such-article"], ["--text", "!!! ???"]],
)
def test_errors_are_one_line_exit_1(engine: Engine, args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["related", *args, "--index", str(engine.index_dir)])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1


def test_exactly_one_source(engine: Engine) -> None:
    result = CliRunner().invoke(cli, ["related", "--index", str(engine.index_dir)])
    assert result.exit_code == 2
    assert "exactly one of" in result.output


def test_related_works_when_a_title_is_only_stop_words(tmp_path: Path) -> None:
    from tests.conftest import page_html

    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_text(
        page_html("To and an over all", ("Calcium and vitamin D keep bones strong in pregnancy.",) * 2)
    )
    (pages / "b.html").write_text(
        page_html("Calcium in Pregnancy", ("Calcium needs rise in pregnancy; dairy and greens help.",) * 2)
    )
    engine = Engine(tmp_path / "index")
    engine.build(pages, workers=1)
    assert [r.id for r in engine.related("b").related] == ["a"]
