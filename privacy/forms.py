"""The gate on model forms: personal data is a field error where it was typed, not a 500."""

from __future__ import annotations

from django import forms

from core.errors import PersonalDataError
from privacy.gate import gated_fields, personal_data_check


class PersonalDataModelForm(forms.ModelForm):  # type: ignore[type-arg]
    """Every admin form of a gated model uses this (tests/privacy/test_gate.py checks it): the
    save would be refused by the gate anyway, so the form says so beside the field first."""

    def _post_clean(self) -> None:
        super()._post_clean()
        for field in gated_fields(self._meta.model):
            if field.name not in self.cleaned_data or field.name in self.errors:
                continue
            try:
                personal_data_check({str(field.verbose_name): self.cleaned_data[field.name]})
            except PersonalDataError as error:
                self.add_error(field.name, error.message)
