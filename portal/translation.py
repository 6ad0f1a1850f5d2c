from jeonju.bilingual import register_bilingual

from .models import SiteContact, SitePage

register_bilingual(SiteContact, ("owner", "department", "address"))
register_bilingual(SitePage, ("title", "body"))
