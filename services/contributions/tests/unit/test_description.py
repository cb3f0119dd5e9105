import pytest

from habitat_contributions.domain.description import clean_description
from habitat_contributions.domain.errors import InvalidContribution


class TestCleanDescription:
    def test_folds_white_space(self):
        assert clean_description("  Painted   the\nfront porch  ") == "Painted the front porch"

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "   ",
            "short",
            "aaaaaaaaaaaa",
            "..........",
            "abababababab",
            "asdfasdfasdf",
            "test test test",
            "1234567890",
            "lorem ipsum dolor",
            "n/a n/a n/a n/a",
            "misc stuff things",
        ],
    )
    def test_rejects_short_repeated_or_filler_text(self, text):
        with pytest.raises(InvalidContribution) as error:
            clean_description(text)
        assert error.value.code == "invalid_description"

    @pytest.mark.parametrize(
        "text",
        ["Fixed the leaking roof", "Bookkeeping for March", "Donated 3 chairs", "Cash for seed fund"],
    )
    def test_accepts_what_was_done(self, text):
        assert clean_description(text) == text
