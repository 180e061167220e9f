from precursorwatch.registry.text import sound_key, squash, tokens


def test_squash_ignores_spacing_hyphens_and_case() -> None:
    assert squash("3,4-MDP-2-P") == squash("3 4 mdp 2 p") == "34mdp2p"
    assert squash("Pseudo-Ephedrine") == squash("pseudoephedrine")


def test_tokens_keep_devanagari_words_whole() -> None:
    assert tokens("एफेड्रिन हाइड्रोक्लोराइड 25 kg") == ["एफेड्रिन", "हाइड्रोक्लोराइड", "25", "kg"]


def test_hindi_spelling_sounds_like_the_english_name() -> None:
    pairs = [("एफेड्रिन", "ephedrine"), ("ट्रामाडोल", "tramadol"), ("एसीटोन", "acetone"),
             ("परमैंगनेट", "permanganate"), ("फेंटानिल", "fentanyl"), ("मॉर्फिन", "morphine"),
             ("अल्प्राजोलम", "alprazolam")]
    for hindi, english in pairs:
        assert sound_key(hindi) == sound_key(english), (hindi, english)


def test_different_names_sound_different() -> None:
    assert sound_key("एफेड्रिन") != sound_key("pseudoephedrine")
    assert sound_key("codeine") != sound_key("morphine")
