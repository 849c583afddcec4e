"""The kinds of activity of a run of show, one module each (see `base` for what a kind is).
Importing this package registers them; `IdeasConfig.ready` does, once."""

from . import brainstorm, poll, scale, words  # noqa: F401  (each registers its kind)
from .base import KINDS, FacilitatorMessage, ParticipantMessage, kind_of, message_types  # noqa: F401
