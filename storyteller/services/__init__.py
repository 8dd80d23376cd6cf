"""Multi-step writes of the storyteller, one module per sub-domain: ``storytellers`` (rows and their
rules, status moves and the event log, approvals, consent, unlocking, prompts within the boundaries,
process activation) and ``books`` (book exports). The first is re-exported here."""

from storyteller.services.storytellers import (
    PROMPT_ABOVE_TIER,
    approve,
    archetype_reveal,
    comfortable_tier,
    event_record,
    life_event_save,
    process_version_activate,
    prompt_refusal,
    prompt_tier,
    row_save,
    section_unlock,
    session_prompt_ask,
    storyteller_of,
    transition,
    trauma_consent_record,
)

__all__ = [
    "PROMPT_ABOVE_TIER",
    "approve",
    "archetype_reveal",
    "comfortable_tier",
    "event_record",
    "life_event_save",
    "process_version_activate",
    "prompt_refusal",
    "prompt_tier",
    "row_save",
    "section_unlock",
    "session_prompt_ask",
    "storyteller_of",
    "transition",
    "trauma_consent_record",
]
