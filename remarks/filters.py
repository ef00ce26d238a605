import django_filters
from django import forms
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Service
from remarks.models import Category, Remark
from remarks.workflow import CLOCK_RUNNING, Status

SORTS = {
    "due": ("due_date", "pk"),
    "-submitted": ("-submitted_at", "-pk"),
    "submitted": ("submitted_at", "pk"),
    "-supports": ("-support_count", "-submitted_at"),
}


class RemarkFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Status.choices,
                                                 widget=forms.CheckboxSelectMultiple)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Remark.Kind.choices, empty_label=_("Any"))
    agency = django_filters.ModelChoiceFilter(label=_("Executing agency"), queryset=Agency.objects.all(),
                                              empty_label=_("Any"))
    co_agency = django_filters.ModelChoiceFilter(label=_("Co-executor"), field_name="co_agencies",
                                                 queryset=Agency.objects.all(), empty_label=_("Any"))
    service = django_filters.ModelChoiceFilter(label=_("Service"), queryset=Service.objects.all(),
                                               empty_label=_("Any"))
    category = django_filters.ModelChoiceFilter(label=_("Sector"), queryset=Category.objects.all(),
                                                empty_label=_("Any"))
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue",
                                           widget=forms.CheckboxInput)
    due_before = django_filters.DateFilter(label=_("Due before"), field_name="due_date", lookup_expr="lt",
                                           widget=forms.DateInput(attrs={"type": "date"}))
    submitted_after = django_filters.DateFilter(label=_("Submitted from"), field_name="submitted_at",
                                                lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"}))
    submitted_before = django_filters.DateFilter(label=_("Submitted to"), field_name="submitted_at",
                                                 lookup_expr="date__lte",
                                                 widget=forms.DateInput(attrs={"type": "date"}))
    supported = django_filters.BooleanFilter(label=_("Supported by others"), method="filter_supported",
                                             widget=forms.CheckboxInput)
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), method="sort_by", empty_label=None,
        choices=[("due", _("Due date")), ("-submitted", _("Newest first")), ("submitted", _("Oldest first")),
                 ("-supports", _("Most supported"))],
    )

    class Meta:
        model = Remark
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery

            from remarks.models import search_vector

            return queryset.annotate(search_document=search_vector()).filter(
                Q(reference__iexact=value)
                | Q(search_document=SearchQuery(value, config="simple", search_type="websearch"))
            )
        return queryset.filter(
            Q(reference__iexact=value) | Q(title__icontains=value) | Q(description__icontains=value)
        )

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.filter(status__in=CLOCK_RUNNING, due_date__lt=timezone.localdate())
        return queryset

    def filter_supported(self, queryset, name, value):
        return queryset.filter(support_count__gt=0) if value else queryset

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["due"]))

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.is_bound or not (self.form.cleaned_data if self.is_valid() else {}).get("sort"):
            queryset = queryset.order_by(*SORTS[self.default_sort()])
        return queryset.distinct() if self.data.get("co_agency") else queryset

    def default_sort(self) -> str:
        from remarks.selectors import persona_of

        persona = persona_of(self.request.user) if self.request else None
        return "due" if persona and persona.is_staff_member else "-submitted"


class MyRemarkFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("Any"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Remark.Kind.choices, empty_label=_("Any"))

    class Meta:
        model = Remark
        fields = []

    @property
    def qs(self):
        return super().qs.order_by("-updated_at", "-pk")
