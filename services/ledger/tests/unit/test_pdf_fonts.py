"""Which face each letter of a PDF's text is set in (fonts as Debian installs them; the test machine has them)."""

from habitat_ledger.adapters.pdf_fonts import faces, marked


def test_latin_beyond_latin_1_greek_and_cyrillic_stay_in_the_main_face() -> None:
    assert marked("Łucja Ωμέγα Дмитрий & <co>") == "Łucja Ωμέγα Дмитрий &amp; &lt;co&gt;"


def test_chinese_japanese_and_korean_runs_are_set_in_the_face_that_has_them() -> None:
    assert marked("Paid <山田> 김민준 ok") == (
        'Paid &lt;<font name="DroidSansFallback">山田</font>&gt; <font name="NanumGothic">김민준</font> ok'
    )


def test_a_letter_no_face_has_stays_in_the_main_face_and_spaces_never_switch() -> None:
    assert faces().face_of("\U0001f600") is None and faces().face_of(" ") is None
    assert marked("山 田") == '<font name="DroidSansFallback">山</font> <font name="DroidSansFallback">田</font>'
    assert marked("") == ""
