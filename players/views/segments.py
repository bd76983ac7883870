"""Segments: list, page, edit."""

from __future__ import annotations

from backoffice.views import generic
from players import filtersets, forms, services, tables
from players.choices import SegmentKind
from players.models import Player, Segment


class SegmentListView(generic.ObjectListView):
    queryset = Segment.objects.all()
    table = tables.SegmentTable
    filterset = filtersets.SegmentFilterSet
    add_url = "players:segment_add"


class SegmentView(generic.ObjectDetailView):
    queryset = Segment.objects.all()
    template_name = "players/segment.html"
    detail_fields = ["name", "kind", "description", "countries", "vip_min", "vip_max", "lifetime_deposits_min",
                     "active_within_days", "inactive_for_days", "registered_from", "registered_to", "member_count",
                     "counted_at"]
    buttons = [("Edit", "players:segment_edit", "change", "secondary")]

    def get_extra_context(self, obj):
        members = self.child_rows(obj.players(Player.objects.real()).select_related("agent"))
        if members is None:
            return {"members_table": None}
        return {"members_table": self.child_table(members, tables.PlayerTable, limit=50, orderable=False),
                "member_count_live": members.count() if obj.kind == SegmentKind.RULE or obj.member_count < 100_000
                else obj.member_count}


class SegmentEditView(generic.ObjectEditView):
    queryset = Segment.objects.all()
    form = forms.SegmentForm

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code == 302:
            services.segment_counts_refresh(segment_ids=list(Segment.objects.filter(
                name=request.POST.get("name", "")).values_list("pk", flat=True)))
        return response
