"""Public pages of policies."""

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.views.generic import DetailView

from policies.models import Policy, Source
from portal.attainment import Status, attainments, roll_up, with_status
from portal.cache import cache_public_page
from portal.columns import POLICIES
from portal.filters import PolicyFilter, localized_name
from portal.selectors import programs_with_figures
from portal.views.lists import DownloadableFilterView
from programs.models import MetricKind, Program, YearlyMetric


def program_targets(programs) -> list:
    """The targets of the given programs, each with its actual (portal.attainment Rows)."""
    target = YearlyMetric.objects.filter(
        program=OuterRef("program"), indicator=OuterRef("indicator"), year=OuterRef("year"), kind=MetricKind.TARGET
    )
    metrics = YearlyMetric.objects.filter(program__in=programs).filter(Exists(target))
    return attainments(metrics.select_related("program", "indicator"))


@cache_public_page
class PolicyListView(DownloadableFilterView):
    filterset_class = PolicyFilter
    template_name = "policies/policy_list.html"
    context_object_name = "policies"
    paginate_by = 20
    download_name = "policies"
    download_fields = POLICIES

    def get_queryset(self):
        # A subquery per policy shown, not a join of every program link grouped by policy: the
        # paginator's COUNT then counts policies alone.
        links = Program.policies.through.objects.filter(policy=OuterRef("pk")).order_by()
        program_count = Coalesce(Subquery(links.values("policy").annotate(n=Count("*")).values("n")), 0)
        return Policy.objects.prefetch_related("core_values", "terms").annotate(program_count=program_count)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The documents this page's policies are described from.
        context["sources"] = list(Source.objects.filter(policies__in=context["policies"]).distinct())
        return context

    def download_rows(self, queryset):
        for policy in queryset.iterator(chunk_size=self.download_chunk_size):
            yield [
                policy.slug,
                policy.title_ko,
                policy.title_en,
                policy.sector,
                [v.code for v in policy.core_values.all()],
                [t.number for t in policy.terms.all()],
                policy.status,
                policy.start_year,
                policy.end_year,
                policy.department_ko,
                policy.program_count,
                self.request.build_absolute_uri(policy.get_absolute_url()),
            ]


@cache_public_page
class PolicyDetailView(DetailView):
    template_name = "policies/policy_detail.html"
    context_object_name = "policy"
    # The programs a policy page lists, however many the policy has: the first page of the program
    # list filtered by the policy (by name, as there), which has the rest.
    programs_shown = 20

    def get_queryset(self):
        return Policy.objects.prefetch_related("core_values", "terms", "sources")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        programs = self.object.programs.all()
        by_name = programs_with_figures(programs).order_by(localized_name("name").asc())
        context["programs"] = list(by_name[: self.programs_shown])
        context["programs_total"] = programs.count()
        # The roll-up of the programs' targets: how many are met, in progress, not yet due …
        targets = program_targets(programs)
        today = timezone.localdate()
        counts = roll_up((row.attainment for row in targets), today)
        context["target_counts"] = [(status.label, counts[status]) for status in Status if counts[status]]
        latest = sorted(targets, key=lambda row: -row.attainment.year)
        context["targets"] = with_status(latest[: self.programs_shown], today)
        context["targets_total"] = len(targets)
        return context
