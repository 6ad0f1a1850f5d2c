"""Dates read as each language's readers write them, and stay whole on a line."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.utils import translation

from portal.attainment import day_words

DAY = datetime.date(2019, 3, 5)


@pytest.mark.parametrize(("language", "expected"), [("ko", "2019. 3. 5."), ("en", "5 Mar 2019")], ids=["ko", "en"])
def test_the_date_filter_follows_the_locale_format(language, expected):
    template = Template('{{ day|date }}|{{ day|date:"SHORT_DATE_FORMAT" }}')
    with translation.override(language):
        assert template.render(Context({"day": DAY})) == f"{expected}|{expected}"


@pytest.mark.parametrize(("language", "expected"), [("ko", "2019. 3. 5."), ("en", "5 Mar 2019")], ids=["ko", "en"])
def test_a_date_in_a_sentence_has_no_break_inside(language, expected):
    with translation.override(language):
        words = day_words(DAY)
    assert " " not in words, "a plain space lets the date break across lines"
    assert words.replace("\u00a0", " ") == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "pattern"), [("", r"\d{4}\. \d{1,2}\. \d{1,2}\."), ("/en", r"\d{1,2} [A-Z][a-z]{2} \d{4}")]
)
def test_the_visit_list_writes_dates_for_readers_and_iso_for_machines(client, prefix, pattern):
    body = client.get(f"{prefix}/visits/").content.decode()
    times = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', body)
    assert times, "the visit list shows no dated visit"
    for machine, reader in times:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", machine), machine
        assert re.fullmatch(pattern, reader), reader
        assert datetime.date.fromisoformat(machine).year == int(re.search(r"\d{4}", reader)[0])
