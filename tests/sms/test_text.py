"""Fitting an SMS into three parts: counted the way the network counts, link kept when it fits."""

from __future__ import annotations

import pytest

from weerbaar.contrib.sms.text import MAX_PARTS, compose_sms, is_gsm7, sms_parts

URL = "https://weerbaar.example.nl/meldingen/a/123"


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("", 0),
        ("a", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("a" * 459, 3),
        ("a" * 460, 4),
        ("€" * 80, 1),  # extension characters count twice
        ("€" * 81, 2),
        ("a" * 152 + "€" + "a" * 10, 2),  # not split over two parts: moves whole
        ("ë" * 70, 1),  # ë is not GSM-7: the whole text is UCS-2
        ("ë" * 71, 2),
        ("ë" * 201, 3),
        ("ë" * 202, 4),
        ("😀" * 35, 1),  # outside the BMP: two UTF-16 units each
        ("😀" * 36, 2),
    ],
)
def test_parts_are_counted_as_the_network_counts_them(text: str, parts: int) -> None:
    assert sms_parts(text) == parts


def test_gsm7_alphabet() -> None:
    assert is_gsm7(
        "Let op: winkeldief (man, ca. 30, {jas} [rood]) bij Albert Heijn, Ginnekenweg 12! €5 @home"
    )
    assert not is_gsm7("Geïnformeerd")
    assert not is_gsm7("België")


def test_short_text_and_link_are_sent_together() -> None:
    assert compose_sms("Let op: winkeldief in de Binnenstad.", URL) == (
        f"Let op: winkeldief in de Binnenstad. {URL}"
    )


def test_whitespace_is_one_space_and_no_link_means_text_only() -> None:
    assert compose_sms("  Let op:\n winkeldief \t actief ") == "Let op: winkeldief actief"


def test_typographic_punctuation_becomes_gsm7_so_the_text_stays_cheap() -> None:
    text = compose_sms("“Let op” – verdachte man… ‘blauwe’ jas\u00a0en pet")
    assert text == "\"Let op\" - verdachte man... 'blauwe' jas en pet"
    assert is_gsm7(text)


def test_letters_are_never_changed() -> None:
    assert compose_sms("Ondernemers in België geïnformeerd") == (
        "Ondernemers in België geïnformeerd"
    )


def test_link_is_left_out_when_text_and_link_do_not_fit_but_the_text_does() -> None:
    text = "Winkeldief actief. " * 23  # 436 characters: fits alone, not with the link
    sms = compose_sms(text, URL)
    assert sms == text.strip()
    assert URL not in sms


def test_text_longer_than_three_parts_is_shortened_at_a_word_and_keeps_the_link() -> None:
    text = "Verdachte personen in de Binnenstad gezien bij meerdere winkels. " * 10
    sms = compose_sms(text, URL)
    assert sms_parts(sms) == MAX_PARTS
    assert sms.endswith(f"... {URL}")
    body = sms.removesuffix(f"... {URL}")
    assert text.startswith(body)
    assert text[len(body)] == " "  # cut between two words


def test_unicode_text_gets_its_smaller_budget_and_a_unicode_ellipsis() -> None:
    text = "Geïnformeerd: " + "woord " * 60
    sms = compose_sms(text, URL)
    assert sms_parts(sms) == MAX_PARTS
    assert sms.endswith(f"… {URL}")
    assert len(sms) <= 201


def test_a_link_too_long_to_share_the_room_is_dropped_from_a_shortened_text() -> None:
    long_url = "https://weerbaar.example.nl/" + "x" * 200
    text = "Let op. " * 80
    sms = compose_sms(text, long_url)
    assert long_url not in sms
    assert sms.endswith("...")
    assert sms_parts(sms) == MAX_PARTS


@pytest.mark.parametrize("max_parts", [1, 2, 3])
def test_result_always_fits(max_parts: int) -> None:
    for text in ("a" * 1000, "ë" * 1000, "😀" * 500, "€" * 1000, "woord " * 200):
        assert sms_parts(compose_sms(text, URL, max_parts=max_parts)) <= max_parts
