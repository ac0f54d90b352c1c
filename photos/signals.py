from django.dispatch import Signal

# Sent once a new set of renditions is committed for a picture (image_id): pages showing it point at old files,
# which go once this commits. `QuerySet.update` sends no post_save, so the swap says so itself.
renditions_changed = Signal()
