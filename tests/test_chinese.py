"""Chinese, mixed-language, Japanese and Korean text: analysis, search, phrases, snippets, related."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from indexer.analysis import ArticleTokenizer, analyze, segment_han
from indexer.cjk import PHRASE, is_cjk, to_simplified
from search import Engine
from search.phrase import join_cjk_words
from tests.conftest import page_html

YAOTONG = "postpartum/zh-chanhou-yaotong"  # Simplified
HUANLI = "postpartum/zh-hant-chanhou-huli"  # Traditional: 產後腰痛的護理
JINGQIAN = "menstruation/zh-hant-jingqian-jingqi-yinshi"  # Traditional


def ids(engine: Engine, query: str, limit: int = 10, **kw: str) -> list[str]:
    return [h.id for h in engine.search(query, limit=limit, **kw).hits]


def positions(text: str, mode: str) -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in ArticleTokenizer()(text, positions=True, mode=mode)]


# -- analysis -------------------------------------------------------------------------------


def test_jieba_alone_hides_the_short_word_but_bigrams_find_it() -> None:
    # the trap: jieba's dictionary segments 产后腰痛 as 产/后腰/痛, so 产后 is not a jieba token
    assert "产后" not in [w for w, _, _ in segment_han("产后腰痛")]
    assert "产后" in analyze("产后腰痛")


def test_same_substring_gives_the_same_phrase_tokens_in_any_context() -> None:
    alone = [t for t, _ in positions("产后腰痛", PHRASE)]
    inside = [t for t, _ in positions("很多产后腰痛的妈妈", PHRASE)]
    assert alone == ["产后", "后腰", "腰痛"]
    assert any(inside[i : i + 3] == alone for i in range(len(inside)))


def test_phrase_mode_positions_are_consecutive_across_scripts() -> None:
    stream = positions("做B超检查和HPV检测", PHRASE)
    assert [p for _, p in stream] == list(range(len(stream)))
    assert [t for t, _ in stream] == ["做", "b", "超检", "检查", "查和", "hpv", "检测"]


def test_index_mode_stacks_unigrams_and_long_words_without_breaking_the_bigram_chain() -> None:
    stream = positions("多囊卵巢综合征", "index")
    bigrams = [(t, p) for t, p in stream if len(t) == 2]
    assert bigrams == [("多囊", 0), ("囊卵", 1), ("卵巢", 2), ("巢综", 3), ("综合", 4), ("合征", 5)]
    assert ("综合征", 4) in stream  # jieba word stacked at its first character
    assert ("征", 5) in stream and ("钙", 0) in positions("钙", "index")
    assert "多" not in [t for t, _ in positions("多囊卵巢综合征", "query")]


def test_traditional_and_full_width_text_is_folded() -> None:
    assert to_simplified("產後腰痛的護理") == "产后腰痛的护理"
    assert analyze("產後腰痛") == analyze("产后腰痛")
    assert analyze("ＨＰＶ疫苗") == analyze("HPV疫苗")
    assert "1000" in analyze("每天１０００毫克")


def test_spaces_between_chinese_words_of_a_phrase_are_dropped() -> None:
    assert join_cjk_words("产后 腰痛 back pain") == ("产后腰痛 back pain", [0, 1, 3, 4, *range(5, 15)])
    assert join_cjk_words("바른 자세")[0] == "바른 자세"


def test_is_cjk() -> None:
    assert is_cjk("产后 back pain") and is_cjk("ストレッチ") and is_cjk("허리")
    assert not is_cjk("postpartum back pain") and not is_cjk("ＨＰＶ")


# -- search over the bundled corpus ----------------------------------------------------------


def test_single_words(engine: Engine) -> None:
    assert ids(engine, "叶酸")[0] in {"nutrition/zh-yesuan-buchong", "nutrition/zh-hant-yunqi-yingyang"}
    assert ids(engine, "痛经")[0] == "menstruation/zh-tongjing-huanjie"
    assert "nutrition/zh-yunfu-bugai" in ids(engine, "钙", limit=3)  # one character


def test_chinese_query_without_spaces(engine: Engine) -> None:
    assert ids(engine, "子宫肌瘤要紧吗")[0] == "gynecology/zh-zigong-jiliu"
    assert set(ids(engine, "产后腰痛怎么办", limit=2)) == {YAOTONG, HUANLI}


def test_two_character_word_inside_a_longer_one(tmp_path: Path, write_page: Callable[..., Path]) -> None:
    # the only occurrence of 产后 is inside 产后腰痛, which jieba segments as 产/后腰/痛
    write_page(
        "a/zh-yaotong.html",
        page_html("腰痛", ("产后腰痛多见于分娩后数周，表现为腰骶部酸胀，久坐久站后加重，需要注意休息和姿势。",), lang="zh-CN"),
    )
    write_page("a/zh-other.html", page_html("其他", ("这篇文章讲孕期营养，包括叶酸、铁和钙的补充方法与食物来源。",), lang="zh-CN"))
    with Engine(tmp_path / "ix") as engine:
        engine.build(tmp_path / "pages", workers=1)
        assert ids(engine, "产后") == ["a/zh-yaotong"]
        assert ids(engine, '"产后"') == ["a/zh-yaotong"]


def test_phrases_match_contiguous_text_only(tmp_path: Path, write_page: Callable[..., Path]) -> None:
    write_page(
        "a/zh-1.html",
        page_html("一", ("很多妈妈在产后腰痛明显，需要调整抱娃姿势并加强核心训练，同时注意休息，避免长时间弯腰。",), lang="zh-CN"),
    )
    write_page(
        "a/zh-2.html",
        page_html("二", ("腰痛不只出现在产后，孕期也很常见，久坐久站都会加重不适感，适当活动和热敷可以缓解。",), lang="zh-CN"),
    )
    with Engine(tmp_path / "ix") as engine:
        engine.build(tmp_path / "pages", workers=1)
        assert sorted(ids(engine, "产后腰痛")) == ["a/zh-1", "a/zh-2"]
        assert ids(engine, '"产后腰痛"') == ["a/zh-1"]
        assert ids(engine, '"產後腰痛"') == ["a/zh-1"]  # Traditional phrase, Simplified page
        assert ids(engine, '"产后 腰痛"') == ["a/zh-1"]  # spaces typed between Chinese words


def test_phrases_on_the_corpus(engine: Engine) -> None:
    # 产后腰痛 as a phrase: the Simplified and the Traditional article, nothing else
    assert set(ids(engine, '"产后腰痛"')) == {YAOTONG, HUANLI}
    assert ids(engine, '"postpartum back pain"')  # Latin phrases still work


def test_mixed_chinese_and_english_queries(engine: Engine) -> None:
    assert ids(engine, "HPV检测")[0] == "gynecology/zh-gongjingai-shaicha"
    assert ids(engine, "PCOS 胰岛素")[0] == "gynecology/zh-duonang-luanchao-zonghezheng"
    # the fibroid article first; the B超 article beside the heavy-bleeding one (fibroids cause it)
    found = ids(engine, "B超 肌瘤", limit=3)
    assert found[0] == "gynecology/zh-zigong-jiliu" and "pregnancy/zh-yunqi-bchao-cishu" in found
    assert "nutrition/zh-hant-yunqi-yingyang" in ids(engine, "孕期DHA", limit=3)


def test_traditional_query_finds_simplified_articles_and_vice_versa(engine: Engine) -> None:
    found = ids(engine, "產後腰痛", limit=2)
    assert YAOTONG in found and HUANLI in found
    assert "nutrition/zh-yesuan-buchong" in ids(engine, "葉酸", limit=3)
    assert JINGQIAN in ids(engine, "经前水肿", limit=2)


def test_snippet_highlights_the_matched_chinese_words(engine: Engine) -> None:
    for query, hit_id, words in (("产后", YAOTONG, {"产后"}), ("产后", HUANLI, {"產後"}), ("B超", None, {"B", "超"})):
        hits = engine.search(query, limit=20).hits
        hit = next(h for h in hits if hit_id in (None, h.id))
        spans = hit.snippet.highlights
        assert spans
        assert {hit.snippet.text[s:e] for s, e in spans} == words


def test_chinese_snippets_are_shorter_and_cut_at_punctuation(engine: Engine) -> None:
    from search.snippets import SNIPPET_CHARS

    snippet = engine.search("李斯特菌").hits[0].snippet
    assert len(snippet.text) <= SNIPPET_CHARS // 2 + 15 + 2  # the start may move back 15 to a break
    assert snippet.text.startswith("…") and snippet.text[1] not in "，。、"
    assert snippet.text.endswith(("。…", "，…", "、…", "；…", "：…")), snippet.text


def test_new_gbk_and_traditional_sample_pages(engine: Engine) -> None:
    assert engine.get("postpartum/zh-chanhou-tuofa").title == "产后脱发正常吗？多久能恢复"  # GBK
    assert engine.get("pregnancy/zh-yunqi-shuimian-zishi").title == "孕晚期睡觉用什么姿势好"  # GBK
    assert ids(engine, "怀孕脚肿")[0] == "pregnancy/zh-hant-yunqi-shuizhong"  # Simplified query, Traditional page


def test_category_facets_and_language_of_chinese_articles(engine: Engine) -> None:
    categories = engine.stats().categories
    assert categories.get("产后", 0) >= 6 and "產後" not in categories  # 產後 folds into 产后
    for name in ("产后", "產後"):
        found = engine.search("腰痛", limit=20, category=name).hits
        assert {YAOTONG, HUANLI} <= {h.id for h in found}
        assert all(h.id.startswith("postpartum/") for h in found)
        assert set(ids(engine, f"category:{name} 腰痛")) == {YAOTONG, HUANLI}  # the query syntax too
    assert all(h.lang == "zh" for h in engine.search("产后腰痛", limit=5).hits)
    assert engine.stats().languages.get("zh", 0) >= 25


def test_related_chinese_articles(engine: Engine) -> None:
    related = engine.related(YAOTONG, limit=5).related
    assert related[0].id == HUANLI  # the same topic in Traditional script
    assert all("/zh-" in r.id for r in related)
    shared = related[0].reasons["shared_terms"]
    assert "腰痛" in shared and not any(len(t) == 1 and is_cjk(t) for t in shared)


# -- Japanese and Korean: character bigrams ---------------------------------------------------


@pytest.fixture
def ja_ko_engine(tmp_path: Path, write_page: Callable[..., Path]) -> Engine:
    write_page(
        "a/ja.html",
        page_html(
            "妊娠中の腰痛",
            ("妊娠中は腰痛になりやすいです。軽いストレッチと正しい姿勢で、腰への負担を減らしましょう。",),
            lang="ja",
        ),
    )
    write_page(
        "a/ko.html",
        page_html("임신 중 허리 통증", ("임신 중에는 허리 통증이 흔합니다. 가벼운 스트레칭과 바른 자세가 도움이 됩니다.",), lang="ko"),
    )
    write_page("a/en.html", page_html())
    engine = Engine(tmp_path / "ix")
    engine.build(tmp_path / "pages", workers=1)
    return engine


def test_japanese_and_korean_are_findable(ja_ko_engine: Engine) -> None:
    with ja_ko_engine as engine:
        assert ids(engine, "ストレッチ") == ["a/ja"]
        assert ids(engine, "妊娠中") == ["a/ja"]
        assert ids(engine, "허리 통증") == ["a/ko"]
        assert ids(engine, "스트레칭") == ["a/ko"]
        assert ids(engine, '"바른 자세"') == ["a/ko"]
        snippet = engine.search("스트레칭").hits[0].snippet
        assert {snippet.text[s:e] for s, e in snippet.highlights} == {"스트", "트레", "레칭"}
