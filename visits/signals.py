"""What the visit app tells the apps above it."""

from django.dispatch import Signal

# Sent inside an import's transaction once its rows are written (bulk writes send no model
# signals), with the programs and years the file's visits belong to.
visits_imported = Signal()
