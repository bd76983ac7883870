"""Player text search: partial usernames, names and e-mails, served by one trigram index.

The searched text of a player is one expression, ``search_text()``: a space, then the lower-cased username,
first name, last name and e-mail, each after a space. A GIN ``gin_trgm_ops`` index over that expression
(``player_search_trgm_idx``, migration players/0008) serves ``LIKE '%...%'`` on it, so a partial match costs
an index scan, not a read of every player (docs/performance.md, "Players").

The input is split on white space and every word must match (so "ann smith" and "smith ann" both find Ann
Smith, and "ann gmail" the Anns with a Gmail address):

- a word of 3 or more characters matches anywhere in any of the four fields (``'%word%'``);
- a word of 1 or 2 characters matches only at the start of a field or of a word in a name (``'% wo%'``): a
  trigram index cannot narrow "contains 'wo'" (every word holding "wo" qualifies, and pg_trgm extracts no
  trigram from it), but it can narrow "starts with 'wo'" by the word-start trigrams ``'  w'``, ``' wo'``.
  An exact two-letter last name such as "Wu" is such a prefix, so it is still found.

A word never holds a space, so it cannot match across two fields. Input of digits only is an id, or the start
of a field (a numeric username, an e-mail such as ``4471...@``), not any fragment: "1987" would otherwise list
every "...1987" username beside the player whose id it is. A whole e-mail address that is a player's finds
that player only (by the unique index ``player_email_ci_unique``, no trigram scan: an address's trigrams such
as "gmail.com" are held by a large share of the players). The queryset's order is kept: newest first.
"""

from __future__ import annotations

from django.db.models import Func, Q, QuerySet, TextField
from django.db.models.functions import Lower

SEARCH_FIELDS = ("username", "first_name", "last_name", "email")
SHORT_WORD = 3  # words shorter than this match at a field's start only (see the module docstring)
MAX_WORDS = 8  # more words than this add nothing but planning time; the rest are ignored


class SearchText(Func):
    """The indexed expression: ``' ' || lower(username) || ' ' || lower(first_name) || ...`` (the columns are
    NOT NULL, so no COALESCE; plain ``||`` keeps the expression immutable, which an index requires). A class, not
    ``Func(output_field=...)``: a field instance would make every ``makemigrations`` see the index as changed."""

    template = "(' ' || %(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = TextField()


def search_text() -> SearchText:
    return SearchText(*(Lower(name) for name in SEARCH_FIELDS))


def player_search(queryset: QuerySet, value: str) -> QuerySet:
    """``queryset`` narrowed to the players matching ``value`` (see the module docstring); its order is kept."""
    words = value.lower().split()[:MAX_WORDS]
    if not words:
        return queryset
    whole = " ".join(words)
    if "@" in whole and " " not in whole:
        by_email = queryset.alias(email_l=Lower("email")).filter(email_l=whole).exclude(email="")
        if by_email.exists():  # a whole address: its player only, by player_email_ci_unique (no trigram scan)
            return by_email
    if whole.isascii() and whole.isdigit():  # an id, or the start of a field: "1987" would find every "...1987"
        cond = Q(search_text__contains=f" {whole}")
        if len(whole) < 19:  # fits a bigint
            cond |= Q(pk=int(whole))
    else:
        cond = Q()
        for word in words:
            cond &= Q(search_text__contains=word if len(word) >= SHORT_WORD else f" {word}")
    return queryset.alias(search_text=search_text()).filter(cond)
