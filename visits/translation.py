from jeonju.bilingual import register_bilingual

from .models import Organization, Visit

register_bilingual(Organization, ("name", "municipality"))
register_bilingual(Visit, ("purpose",))
