from kejia.search.text import index_tokens, key_terms, parse_query, short_text_tokens


def test_index_tokens_search_mode_lowercase_no_punctuation():
    tokens = index_tokens("钙钛矿太阳能电池，Deep Learning。")
    assert {"钙钛矿", "太阳", "太阳能", "电池", "deep", "learn"} <= set(tokens)
    assert "，" not in tokens and "Deep" not in tokens


def test_parse_query_single_characters_and_unknown_words_fall_back_to_characters():
    (word,) = parse_query("光")
    assert word.text == "光" and word.chars == ("光",)
    (word,) = parse_query("光学")
    assert word.chars == ()  # a dictionary word: documents carry it as a token
    assert [w.text for w in parse_query("光学成像")] == ["光学", "成像"]
    assert [w.text for w in parse_query("Optical Imaging")] == ["optic", "imag"]  # stems, as indexed
    assert [w.chars for w in parse_query("中")] == [("中",)]  # a stop character alone still searches


def test_short_text_tokens_split_keyword_lists():
    assert short_text_tokens("光学成像、显微成像") == index_tokens("光学成像") + index_tokens("显微成像")


def test_key_terms_weighted_chinese_and_english():
    terms = key_terms("面向水稻病虫害的无人机植保技术研究，病虫害遥感监测。UAV remote sensing of rice pests; remote sensing.")
    texts = [t.shown for t in terms]
    assert "病虫害" in texts and "remote" in texts and "sensing" in texts
    assert terms[0].weight == 1.0 and all(0 < t.weight <= 1.0 for t in terms)
    assert key_terms("") == []
