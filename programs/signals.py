"""What the programs app announces of its writes, for what is derived from them above it."""

import django.dispatch

# Sent by the metric import (programs.importing) with `program_ids`, the set of programs it
# created or updated a row of, inside the import's transaction, after the rows are written and
# before the commit: the import's bulk writes send no post_save. A receiver that raises rolls
# the whole import back; one that must act only once the rows are visible uses
# transaction.on_commit. The sender is YearlyMetric.
metrics_imported = django.dispatch.Signal()

# Sent by the budget import (programs.importing.budget) with `program_ids`, as metrics_imported is;
# the sender is BudgetLine.
budget_lines_imported = django.dispatch.Signal()

# Sent by programs.batches once an import batch is undone, inside its transaction, with `rows`:
# {model: the rows deleted, restored or created again}. The sender is ImportBatch.
batch_undone = django.dispatch.Signal()
