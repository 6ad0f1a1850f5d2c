from jeonju.bilingual import register_bilingual

from .models import ClosedPeriod, Organization, Visit, VisitHosting

register_bilingual(Organization, ("name", "municipality"))
register_bilingual(Visit, ("purpose",))

register_bilingual(VisitHosting, ("host_department", "address"))
register_bilingual(ClosedPeriod, ("reason",))
