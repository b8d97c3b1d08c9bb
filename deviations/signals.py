"""What deviations announce to the apps above them, which subscribe in their `ready()`.

The one sanctioned way up the layers: deviations never imports analytics or barriers, yet a
change of tags reaches the knot recomputation and the barriers' evidence at once.
"""

from django.dispatch import Signal

# Sent inside the transaction that changed the tags of `deviation_ids` (a list of ids; empty
# when deviations were removed), after
# the packed confirmed tags and the data version are in step. Receivers that start work in
# the background should wait for the commit (`transaction.on_commit`).
tags_changed = Signal()
