"""Integrations NOX acts through: ticket trackers and calendars, each a plugin behind one interface.
Why and how: docs/design/integrations.md."""

from jamono.integrations.base import (
    Calendar,
    IntegrationError,
    Meeting,
    MeetingRequest,
    NoFreeSlotError,
    Ticket,
    TicketRequest,
    TicketTracker,
)
from jamono.integrations.free_slots import first_common_slot
from jamono.integrations.priorities import DEFAULT_PRIORITIES, map_priority
from jamono.integrations.retry import RetryPolicy

__all__ = [
    "DEFAULT_PRIORITIES",
    "Calendar",
    "IntegrationError",
    "Meeting",
    "MeetingRequest",
    "NoFreeSlotError",
    "RetryPolicy",
    "Ticket",
    "TicketRequest",
    "TicketTracker",
    "first_common_slot",
    "map_priority",
]
