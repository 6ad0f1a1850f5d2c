"""The columns of the public downloads: each one's JSON key and its CSV header in the reader's
language; a coded column also names the labels of its codes (the models' own choices)."""

from django.utils.translation import pgettext_lazy

from policies.models import CoreValue, ElectedTerm, Sector, Status
from portal.attainment import Status as AttainmentStatus
from portal.downloads import Column, choice_labels
from programs.models import Category, FundingSource, MetricKind, Unit
from visits.models import OrganizationKind, Region


def core_value_labels() -> dict[str, str]:
    return {value.code: value.name for value in CoreValue.objects.all()}


def elected_term_labels() -> dict[int, str]:
    return {term.number: term.name for term in ElectedTerm.objects.all()}


# Shared by several downloads.
PROGRAM_SLUG = Column("program_slug", pgettext_lazy("download column", "Program code"))
PROGRAM_NAME_KO = Column("program_name_ko", pgettext_lazy("download column", "Program name (Korean)"))
PROGRAM_NAME_EN = Column("program_name_en", pgettext_lazy("download column", "Program name (English)"))
START_YEAR = Column("start_year", pgettext_lazy("download column", "Start year"))
END_YEAR = Column("end_year", pgettext_lazy("download column", "End year"))
STATUS = Column("status", pgettext_lazy("download column", "Status"), choice_labels(Status))
YEAR = Column("year", pgettext_lazy("download column", "Year"))
NOTE_KO = Column("note_ko", pgettext_lazy("download column", "Note (Korean)"))
NOTE_EN = Column("note_en", pgettext_lazy("download column", "Note (English)"))
SOURCE = Column("source", pgettext_lazy("download column", "Source"))
SOURCE_URL = Column("source_url", pgettext_lazy("download column", "Source address"))
URL = Column("url", pgettext_lazy("download column", "Page address"))
INDICATOR = Column("indicator", pgettext_lazy("download column", "Indicator code"))
INDICATOR_NAME = Column("indicator_name", pgettext_lazy("download column", "Indicator"))
UNIT = Column("unit", pgettext_lazy("download column", "Unit"), choice_labels(Unit))
KIND = Column("kind", pgettext_lazy("download column", "Actual or target"), choice_labels(MetricKind))
VALUE = Column("value", pgettext_lazy("download column", "Value"))
AS_OF = Column("as_of", pgettext_lazy("download column", "As of"))
APPROXIMATE = Column("approximate", pgettext_lazy("download column", "Approximate"))
PARTIAL = Column("partial", pgettext_lazy("download column", "Partial year"))
# What `portal.attainment.download_cells` gives.
ATTAINMENT = (
    Column("target", pgettext_lazy("download column", "Target for the year")),
    Column("attainment_percent", pgettext_lazy("download column", "Attainment (%)")),
    Column("attainment_status", pgettext_lazy("download column", "Attainment"), choice_labels(AttainmentStatus)),
)

POLICIES = (
    Column("slug", pgettext_lazy("download column", "Policy code")),
    Column("title_ko", pgettext_lazy("download column", "Policy title (Korean)")),
    Column("title_en", pgettext_lazy("download column", "Policy title (English)")),
    Column("sector", pgettext_lazy("download column", "Sector"), choice_labels(Sector)),
    Column("core_values", pgettext_lazy("download column", "Core values"), core_value_labels, many=True),
    Column("elected_terms", pgettext_lazy("download column", "Elected terms"), elected_term_labels, many=True),
    STATUS,
    START_YEAR,
    END_YEAR,
    Column("department_ko", pgettext_lazy("download column", "Department (Korean)")),
    Column("programs", pgettext_lazy("download column", "Number of programs")),
    URL,
)

PROGRAMS = (
    Column("slug", pgettext_lazy("download column", "Program code")),
    Column("name_ko", pgettext_lazy("download column", "Program name (Korean)")),
    Column("name_en", pgettext_lazy("download column", "Program name (English)")),
    Column("category", pgettext_lazy("download column", "Category"), choice_labels(Category)),
    STATUS,
    START_YEAR,
    END_YEAR,
    Column("policies", pgettext_lazy("download column", "Policy codes")),
    Column(
        "visiting_organizations_counted",
        pgettext_lazy("download column", "Visiting organizations counted (sum of the years)"),
    ),
    Column("visiting_organizations_first_year", pgettext_lazy("download column", "First year counted")),
    Column("visiting_organizations_last_year", pgettext_lazy("download column", "Last year counted")),
    Column("visiting_organizations_years", pgettext_lazy("download column", "Years counted")),
    Column("visiting_organizations_partial_years", pgettext_lazy("download column", "Partial years counted")),
    Column("visiting_organizations_partial_as_of", pgettext_lazy("download column", "Partial year counted up to")),
    Column("named_visits_on_record", pgettext_lazy("download column", "Named visits on record")),
    Column("planned_budget_krw", pgettext_lazy("download column", "Planned budget (KRW)")),
    Column("executed_budget_krw", pgettext_lazy("download column", "Executed budget (KRW)")),
    URL,
)

BUDGET = (
    PROGRAM_SLUG,
    PROGRAM_NAME_KO,
    PROGRAM_NAME_EN,
    START_YEAR,
    END_YEAR,
    Column("period", pgettext_lazy("download column", "Period")),
    Column("funding_source", pgettext_lazy("download column", "Funding source"), choice_labels(FundingSource)),
    Column("planned_krw", pgettext_lazy("download column", "Planned amount (KRW)")),
    Column("executed_krw", pgettext_lazy("download column", "Executed amount (KRW)")),
    NOTE_KO,
    NOTE_EN,
    SOURCE,
    SOURCE_URL,
)

FIGURES = (
    PROGRAM_SLUG,
    INDICATOR,
    INDICATOR_NAME,
    UNIT,
    YEAR,
    KIND,
    VALUE,
    AS_OF,
    NOTE_KO,
    NOTE_EN,
    SOURCE,
    SOURCE_URL,
    APPROXIMATE,
    PARTIAL,
    *ATTAINMENT,
)

INDICATOR_VALUES = (
    INDICATOR,
    INDICATOR_NAME,
    UNIT,
    PROGRAM_SLUG,
    PROGRAM_NAME_KO,
    PROGRAM_NAME_EN,
    YEAR,
    KIND,
    VALUE,
    AS_OF,
    SOURCE,
    APPROXIMATE,
    PARTIAL,
    *ATTAINMENT,
)

VISITS = (
    PROGRAM_SLUG,
    PROGRAM_NAME_KO,
    PROGRAM_NAME_EN,
    Column("organization_ko", pgettext_lazy("download column", "Organization (Korean)")),
    Column("organization_en", pgettext_lazy("download column", "Organization (English)")),
    Column(
        "organization_kind", pgettext_lazy("download column", "Kind of organization"), choice_labels(OrganizationKind)
    ),
    Column("region", pgettext_lazy("download column", "Region"), choice_labels(Region)),
    Column("municipality_ko", pgettext_lazy("download column", "Municipality (Korean)")),
    Column("municipality_en", pgettext_lazy("download column", "Municipality (English)")),
    YEAR,
    Column("visited_on", pgettext_lazy("download column", "Date of the visit")),
    Column("people", pgettext_lazy("download column", "People")),
    Column("purpose_ko", pgettext_lazy("download column", "Purpose (Korean)")),
    Column("purpose_en", pgettext_lazy("download column", "Purpose (English)")),
    SOURCE,
    Column("recorded_at", pgettext_lazy("download column", "Recorded at")),
)
