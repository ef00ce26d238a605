import re

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Service
from remarks.capabilities import assignable_staff_scope, has_perm
from remarks.forms import UserChoiceField, staff_users
from remarks.models import Category, Remark
from remarks.workflow import Status

SORTS = {
    "due": ("due_date", "pk"),
    "-submitted": ("-submitted_at", "-pk"),
    "submitted": ("submitted_at", "pk"),
    "-supports": ("-support_count", "-submitted_at"),
}


REFERENCE_RE = re.compile(r"^R-\d{4}-\d{1,8}$", re.IGNORECASE)


class PersonFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


class UserLookupField(UserChoiceField):
    """A person typed by login (or number) instead of picked from a list: the list of every
    commissioner would be long to read and slow to render."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        # No query for what no username can be: a NUL (PostgreSQL refuses it) or 100 kB (SQLite:
        # "LIKE pattern too complex").
        if "\x00" in value or len(value) > 150:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        lookup = {"pk": value} if value.isdigit() else {"username__iexact": value}
        try:
            return self.queryset.get(**lookup)
        except (self.queryset.model.DoesNotExist, self.queryset.model.MultipleObjectsReturned, ValueError):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None

    def prepare_value(self, value):
        return value.get_username() if hasattr(value, "get_username") else value


class PersonLookupFilter(django_filters.ModelChoiceFilter):
    field_class = UserLookupField


class RemarkFilter(django_filters.FilterSet):
    """The queue's filters. Every parameter is a plain GET value, so a filtered view is a
    bookmarkable URL; input that does not validate empties the list (see `qs`)."""

    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Status.choices,
                                                 widget=forms.CheckboxSelectMultiple, distinct=False)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Remark.Kind.choices, empty_label=_("Any"))
    agency = django_filters.ModelChoiceFilter(label=_("Executing agency"), queryset=Agency.objects.all(),
                                              empty_label=_("Any"))
    co_agency = django_filters.ModelChoiceFilter(label=_("Co-executor"), method="filter_co_agency",
                                                 queryset=Agency.objects.all(), empty_label=_("Any"))
    service = django_filters.ModelChoiceFilter(label=_("Service"), queryset=Service.objects.all(),
                                               empty_label=_("Any"))
    category = django_filters.ModelChoiceFilter(label=_("Sector"), queryset=Category.objects.all(),
                                                empty_label=_("Any"))
    author = PersonLookupFilter(label=_("Author (login)"), queryset=get_user_model().objects.none())
    assignee = PersonFilter(label=_("Assignee"), queryset=get_user_model().objects.none(), empty_label=_("Any"))
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue",
                                           widget=forms.CheckboxInput)
    routing_overdue = django_filters.BooleanFilter(label=_("Routing overdue"), method="filter_routing_overdue",
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.order_by("last_name", "first_name", "pk")
        self.filters["author"].queryset = users.filter(commissioner__isnull=False)
        user = self.request.user if self.request is not None else None
        if not has_perm(user, "remarks.view_assignee"):
            # Who works a remark inside an agency is the staff's business.
            del self.filters["assignee"]
            return
        scope = assignable_staff_scope(user)
        staff = staff_users()
        self.filters["assignee"].queryset = staff if scope is None else staff.filter(scope)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if REFERENCE_RE.match(value):
            return queryset.filter(reference=value.upper())
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery

            from remarks.models import search_vector

            # The annotation is the expression of the GIN index of migration 0002, so the
            # planner can use the index.
            return queryset.annotate(search_document=search_vector()).filter(
                search_document=SearchQuery(value, config="simple", search_type="websearch")
            )
        return queryset.filter(
            Q(reference__icontains=value) | Q(title__icontains=value) | Q(description__icontains=value)
        )

    def filter_co_agency(self, queryset, name, value):
        # A subquery rather than a join: no duplicate rows, so no DISTINCT on the queue.
        through = Remark.co_agencies.through.objects.filter(agency=value).values("remark_id")
        return queryset.filter(pk__in=through)

    def filter_routing_overdue(self, queryset, name, value):
        return queryset.routing_overdue() if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.overdue()
        return queryset

    def filter_supported(self, queryset, name, value):
        return queryset.filter(support_count__gt=0) if value else queryset

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self._ordering(value))

    def _ordering(self, key: str) -> tuple:
        """SORTS[key]. For a full-text search on PostgreSQL the first field is wrapped in an
        expression no b-tree index matches: the planner then takes the few matches from the
        GIN index and sorts them, instead of walking the sort's index (remark_due_pk,
        remark_submitted) computing to_tsvector on every row it passes."""
        fields = SORTS.get(key, SORTS["due"])
        value = (getattr(self.form, "cleaned_data", {}).get("q") or "").strip()
        if connection.vendor != "postgresql" or not value or REFERENCE_RE.match(value):
            return fields
        first, *rest = fields
        expression = Coalesce(F(first.lstrip("-")), F(first.lstrip("-")))
        return (expression.desc() if first.startswith("-") else expression.asc(), *rest)

    @property
    def qs(self):
        if not self.is_valid():
            # Garbage dates, unknown ids, bad choices: show nothing rather than more than asked.
            return self.queryset.none()
        queryset = super().qs
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*self._ordering(self.default_sort()))
        return queryset

    def qs_without_status(self):
        """The remarks matching every filter but the status: what the status tabs count."""
        if not self.is_valid():
            return self.queryset.none()
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name not in ("status", "sort"):
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def default_sort(self) -> str:
        user = self.request.user if self.request is not None else None
        return "due" if has_perm(user, "remarks.view_queue") else "-submitted"


class MyRemarkFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("Any"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Remark.Kind.choices, empty_label=_("Any"))

    class Meta:
        model = Remark
        fields = []

    @property
    def qs(self):
        return super().qs.order_by("-updated_at", "-pk")
