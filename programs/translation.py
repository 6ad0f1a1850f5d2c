from jeonju.bilingual import register_bilingual

from .models import Award, BudgetLine, Indicator, Milestone, Program, YearlyMetric

register_bilingual(Program, ("name", "description", "address", "department"))
register_bilingual(Milestone, ("title",))
register_bilingual(Award, ("name", "awarded_by"))
register_bilingual(Indicator, ("name", "definition"))
register_bilingual(YearlyMetric, ("note",))
register_bilingual(BudgetLine, ("note",))
