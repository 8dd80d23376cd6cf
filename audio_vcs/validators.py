"""Validators of single values: git ref names, key signatures, colours."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

#: Characters git refuses anywhere in a ref name (``git check-ref-format``).
_BAD_REF_CHARS = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")

BRANCH_NAME_INVALID = _("'%(name)s' is not a branch name git would accept: %(reason)s.")


def ref_name_problem(name: str) -> str | None:
    """Why git would refuse ``name`` as a branch name (``git check-ref-format --branch``), or None."""
    if not name:
        return "it is empty"
    if name == "@":
        return "it is '@'"
    if name.startswith("-"):
        return "it starts with '-'"
    if _BAD_REF_CHARS.search(name):
        return "it contains a space, a control character or one of ~ ^ : ? * [ \\"
    if ".." in name:
        return "it contains '..'"
    if "@{" in name:
        return "it contains '@{'"
    if name.startswith("/") or name.endswith("/") or "//" in name:
        return "it has an empty path component"
    if name.endswith("."):
        return "it ends with '.'"
    for part in name.split("/"):
        if part.startswith("."):
            return "a component starts with '.'"
        if part.endswith(".lock"):
            return "a component ends with '.lock'"
    return None


def validate_branch_name(value: str) -> None:
    reason = ref_name_problem(value)
    if reason is not None:
        raise ValidationError(BRANCH_NAME_INVALID, code="invalid_ref", params={"name": value[:100], "reason": reason})


validate_key_signature = RegexValidator(
    r"^[A-G][#b]?( ?(m|min|maj|major|minor))?$",
    _("A key such as C, F#m, Bb major or A minor."),
    code="invalid_key",
)

validate_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour as #rrggbb."), code="invalid_colour")
