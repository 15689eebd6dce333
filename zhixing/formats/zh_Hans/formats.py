"""Django's zh-Hans formats, with ISO dates first for input: a form field renders its value with the first input
format, and a browser's <input type="date"> accepts only YYYY-MM-DD (2026/11/16 leaves it empty, and the required
date is then reported missing). Typed dates in the other Chinese forms are still read."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%n月%j日"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y年%n月%j日 %H:%M",
]
