"""Pagination that stays fast on tables with millions of rows.

Counting every row of a large table on every page view is the usual reason list pages get slow. This
paginator counts exactly only up to ``LIST_EXACT_COUNT_LIMIT`` rows (``SELECT count(*) FROM (... LIMIT
n+1)``, bounded work), and beyond that asks PostgreSQL's planner for its row estimate of the same
query (``EXPLAIN``, about a millisecond). The page shows "about N" when the count is an estimate.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connections
from django.utils.functional import cached_property


def planner_estimate(queryset) -> int:
    """PostgreSQL's estimate of the number of rows ``queryset`` returns."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cur:
        cur.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cur.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def fast_count(queryset, *, exact_limit: int | None = None) -> tuple[int, bool]:
    """(count, is_estimate): exact up to ``exact_limit`` rows (bounded work), else the planner's estimate."""
    exact_limit = exact_limit or settings.LIST_EXACT_COUNT_LIMIT
    bounded = queryset.order_by().values("pk")[: exact_limit + 1].count()
    if bounded <= exact_limit:
        return bounded, False
    return max(planner_estimate(queryset), exact_limit + 1), True


class FastPaginator(Paginator):
    count_is_estimate = False

    def __init__(self, object_list, per_page, *args, exact_limit: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.exact_limit = exact_limit or settings.LIST_EXACT_COUNT_LIMIT

    @property
    def queryset(self):
        """The queryset behind ``object_list``: django-tables2 hands us its BoundRows, not the queryset."""
        rows = self.object_list
        data = getattr(getattr(rows, "data", None), "data", None)
        return data if hasattr(data, "query") else rows

    @cached_property
    def count(self) -> int:
        qs = self.queryset
        if not hasattr(qs, "query"):
            return len(qs)
        count, self.count_is_estimate = fast_count(qs, exact_limit=self.exact_limit)
        return count

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            # With an estimated count a page past the real end is possible: show it empty, don't fail.
            if self.count_is_estimate:
                return int(number)
            raise

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom: bottom + self.per_page], number, self)
