"""``core.constraints``: the shared choice and range checks keep the project's names and wording."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from storyteller.models import ProcessPrompt, StoryScene
from tests.storyteller.factories import ProcessPromptFactory


def constraint(model, name):
    return next(c for c in model._meta.constraints if c.name == name)


def test_choice_check_is_named_after_its_model_and_field_and_says_which_field():
    check = constraint(StoryScene, "storyteller_storyscene_status_valid")
    assert str(check.violation_error_message) == "Unknown status."


def test_range_check_names_its_bounds():
    check = constraint(ProcessPrompt, "storyteller_processprompt_sensitivity_tier_range")
    assert str(check.violation_error_message) == "Sensitivity tier must be between 1 and 3."


@pytest.mark.django_db
def test_range_check_holds_in_validation_and_in_the_database():
    prompt = ProcessPromptFactory()
    prompt.sensitivity_tier = 4
    check = constraint(ProcessPrompt, "storyteller_processprompt_sensitivity_tier_range")
    with pytest.raises(ValidationError, match="Sensitivity tier must be between 1 and 3"):
        check.validate(ProcessPrompt, prompt)
    with pytest.raises(IntegrityError, match="storyteller_processprompt_sensitivity_tier_range"):
        with transaction.atomic():
            ProcessPrompt.objects.filter(pk=prompt.pk).update(sensitivity_tier=4)
