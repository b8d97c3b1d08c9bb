"""Forms for writing up barriers, escalating them and recording decisions: fields only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from barriers.models import Barrier, Decision, MandateLevel, SteeringGroup
from barriers.routing import LEVELS
from barriers.services import SEND_BACK_TO_ANALYSTS
from catalogue.selectors import labels_for, tag_choices, tag_for_text
from core.attachments import KINDS, max_size_label
from deviations.models import Deviation, GoodPractice
from deviations.presentation import catalogue_entries

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("Write the date as YYYY-MM-DD.")}
ATTACHMENT_ACCEPT = ",".join(e for kind in KINDS.values() for e in kind.extensions)


class TagChipsWidget(forms.Widget):
    """The tags as chips with the catalogue search, as on the filing form (static/js/
    tagchips.js): each chosen tag is a checkbox named `tags` with its id as value and its label
    shown, and a box to add more by label; the script turns them into chips and a search."""

    template_name = "barriers/includes/tag_chips.html"

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        getlist = getattr(data, "getlist", None)
        values = getlist(name) if getlist else data.get(name, [])
        return [values] if isinstance(values, str) else list(values)

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> str:
        # From the project's templates, which the default form renderer does not search.
        return render_to_string(self.template_name, self.get_context(name, value, attrs))

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        tags = [tag for tag in (value or []) if tag]
        context["widget"]["chips"] = list(zip(tags, labels_for(tags), strict=True))
        context["widget"]["catalogue"] = catalogue_entries()
        return context


class TagsField(forms.Field):
    """A list of tags, each checked against the catalogue. Each value is a tag id, a label
    (as typed without the script) or several of them separated by `;` or new lines."""

    widget = TagChipsWidget

    def to_python(self, value: Any) -> list[str]:
        values = [value] if isinstance(value, str) else list(value or [])
        words = [
            part.strip()
            for text in values
            for part in str(text).replace("\n", ";").split(";")
            if part.strip()
        ]
        tags = [tag_for_text(word) or word for word in words]
        return list(dict.fromkeys(tags))

    def prepare_value(self, value: Any) -> list[str]:
        if isinstance(value, str):
            return self.to_python(value)
        return list(value or [])

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        known = tag_choices()
        unknown = [tag for tag in value if tag not in known]
        if unknown:
            raise forms.ValidationError(
                _("Not in the catalogue: %(tags)s. Choose from the catalogue search."),
                params={"tags": ", ".join(f"“{tag}”" for tag in unknown[:5])},
            )


class BarrierForm(forms.ModelForm):
    tags = TagsField(
        label=_("Provisions, laws and agencies in conflict"),
        help_text=_("Type an agency, a law or a provision, e.g. “FK” or “27 kap. 48 §”."),
        required=False,
    )

    class Meta:
        model = Barrier
        fields = [
            "title", "description", "root_cause", "proposed_change", "mandate_level", "tags",
            "equality_issue",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "root_cause": forms.Textarea(attrs={"rows": 3}),
            "proposed_change": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mandate_level"] = forms.TypedChoiceField(
            label=_("Mandate level the change needs"),
            choices=MandateLevel.choices,
            coerce=int,
            initial=self.instance.mandate_level if self.instance.pk else MandateLevel.LOCAL_ROUTINE,
        )


class EscalateForm(forms.Form):
    group = forms.ModelChoiceField(
        label=_("Steering group"),
        queryset=SteeringGroup.objects.order_by("mandate", "name"),
        required=False,
        empty_label=_("The proposed group"),
    )
    override_reason = forms.CharField(
        label=_("Why another group than the proposed one?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_on = forms.DateField(
        label=_("To be taken up by (e.g. the next meeting)"),
        required=False,
        widget=DATE,
        error_messages=DATE_ERRORS,
    )


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Barrier.Status.choices)
    reason = forms.CharField(
        label=_("Reason (required when closing)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("The barrier this one duplicates"),
        queryset=Barrier.objects.none(),
        widget=forms.Select(attrs={"id": "merge-target"}),
        error_messages={
            "required": _("Choose the barrier to merge into."),
            "invalid_choice": _("Choose the barrier to merge into."),
        },
    )
    reason = forms.CharField(
        label=_("Why"), required=False, widget=forms.TextInput(attrs={"id": "merge-reason"})
    )

    def __init__(self, *args: Any, targets: QuerySet[Barrier] | None = None, **kwargs: Any) -> None:
        """`targets`: the barriers the user may see (barriers.selectors.barrier_list)."""
        super().__init__(*args, **kwargs)
        if targets is not None:
            self.fields["target"].queryset = targets


class ReferencesField(forms.Field):
    """The ticked deviation references (unknown ones are left to the service to ignore)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(v) for v in values]


class ExamplesForm(forms.Form):
    examples = ReferencesField(required=False)


class SplitForm(ExamplesForm):
    split_title = forms.CharField(
        label=_("…or move the ticked deviations to a new barrier titled"),
        required=False,
        max_length=Barrier._meta.get_field("title").max_length,
        widget=forms.TextInput(attrs={"id": "split-title"}),
    )


class EvidenceRemoveForm(SplitForm):
    """The evidence form's ticks, posted by its "remove" button (the split title is kept)."""

    def clean_examples(self) -> list[str]:
        ticked = self.cleaned_data["examples"]
        if not ticked:
            raise forms.ValidationError(_("Tick the deviations to take out of the evidence."))
        return ticked


class EvidenceAddForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference of the deviation"),
        help_text=_("E.g. AV-2026-00042."),
        max_length=Deviation._meta.get_field("reference").max_length,
        error_messages={"required": _("Write the reference of the deviation to add.")},
        widget=forms.TextInput(attrs={"id": "evidence-reference"}),
    )

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip().upper()


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the escalation withdrawn?"),
        error_messages={"required": _("Say why the escalation is withdrawn.")},
        widget=forms.Textarea(attrs={"rows": 2, "id": "withdraw-reason"}),
    )


def _not_past(value: Any, message: str) -> Any:
    if value and value < timezone.localdate():
        raise forms.ValidationError(message)
    return value


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("This decision cannot be taken here.")},
    )
    text = forms.CharField(
        label=_("What was decided"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    action = forms.CharField(
        label=_("Action (when acting within the mandate)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner = forms.CharField(label=_("Who does it"), required=False, max_length=200)
    due_on = forms.DateField(
        label=_("Action due on"), required=False, widget=DATE, error_messages=DATE_ERRORS
    )
    effect_check_on = forms.DateField(
        label=_("Check the effect on"), required=False, widget=DATE, error_messages=DATE_ERRORS
    )
    reason = forms.CharField(
        label=_("Reason (when forwarding, sending back or rejecting)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    forward_to = forms.ModelChoiceField(
        label=_("Forward to (when forwarding)"),
        queryset=SteeringGroup.objects.none(),
        required=False,
        empty_label=_("The proposed group"),
        error_messages={"invalid_choice": _("Choose a group higher on the ladder.")},
    )
    send_back_to = forms.ChoiceField(
        label=_("Send back to (when sending back)"),
        required=False,
        error_messages={
            "invalid_choice": _("Choose a group lower on the barrier's route, or the analysts.")
        },
    )
    next_due_on = forms.DateField(
        label=_("To be taken up by (when forwarding or sending back)"),
        required=False,
        widget=DATE,
        error_messages=DATE_ERRORS,
    )
    effect_evaluation = forms.CharField(
        label=_("Effect evaluation (when resolved)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    field_order = ["kind", "text", "practice"]  # the guldkorn beside what the group decided
    practice = forms.ModelChoiceField(
        label=_("Guldkorn to spread (when spreading a guldkorn)"),
        queryset=GoodPractice.objects.none(),
        required=False,
        empty_label=_("Choose a guldkorn"),
        error_messages={"invalid_choice": _("Choose a guldkorn shown beside this barrier.")},
    )

    def __init__(
        self,
        *args: Any,
        group: SteeringGroup | None = None,
        can_forward: bool = True,
        send_back_to: Sequence[SteeringGroup] = (),
        practices: Sequence[GoodPractice] = (),
        **kwargs: Any,
    ) -> None:
        """`group`: the deciding group, whose higher groups may be forwarded to; without
        `can_forward` (the top of the ladder) the forward choice is not offered at all.
        `send_back_to`: the groups below on the barrier's route, nearest (the default) first;
        without them a send back goes to the analysts and there is nothing to choose."""
        super().__init__(*args, **kwargs)
        if practices:  # the guldkorn shown beside the barrier: the only ones to spread here
            self.fields["practice"].queryset = GoodPractice.objects.filter(
                pk__in=[p.pk for p in practices]
            )
        else:
            del self.fields["practice"]
            self.fields["kind"].choices = [
                c for c in self.fields["kind"].choices if c[0] != Decision.Kind.SPREAD
            ]
        if send_back_to:
            self.fields["send_back_to"].choices = [
                *((g.slug, g.name) for g in send_back_to),
                (SEND_BACK_TO_ANALYSTS, _("The analysts")),
            ]
            self.fields["send_back_to"].initial = send_back_to[0].slug
        else:
            del self.fields["send_back_to"]
        if not can_forward:
            self.fields["kind"].choices = [
                choice
                for choice in self.fields["kind"].choices
                if choice[0] != Decision.Kind.FORWARD
            ]
            del self.fields["forward_to"]
        elif group is not None:
            higher = LEVELS[group.ladder_position + 1 :]
            self.fields["forward_to"].queryset = SteeringGroup.objects.filter(
                level__in=higher
            ).order_by("mandate", "name")

    def clean_due_on(self) -> Any:
        return _not_past(self.cleaned_data.get("due_on"), _("The due date cannot be in the past."))

    def clean_effect_check_on(self) -> Any:
        return _not_past(
            self.cleaned_data.get("effect_check_on"),
            _("The effect check date cannot be in the past."),
        )

    def clean_next_due_on(self) -> Any:
        return _not_past(
            self.cleaned_data.get("next_due_on"), _("The due date cannot be in the past.")
        )


class AgendaForm(forms.Form):
    meeting_on = forms.DateField(
        label=_("Meeting date"), required=False, widget=DATE, error_messages=DATE_ERRORS
    )


class AttachmentForm(forms.Form):
    """A file for a barrier or one of its decisions: `target` is "barrier" or "decision-<id>",
    offered only where the person may attach (barriers.attachments)."""

    prefix = "attachment"

    target = forms.ChoiceField(label=_("Attach to"))
    description = forms.CharField(
        label=_("What it is"),
        required=False,
        max_length=300,
        help_text=_("For example “The group's letter to the agency”. No personal details."),
    )
    file = forms.FileField(
        label=_("File"),
        error_messages={"required": _("Choose a file."), "empty": _("The file is empty.")},
    )

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets
        self.fields["file"].widget.attrs["accept"] = ATTACHMENT_ACCEPT
        self.fields["file"].help_text = _(
            "PDF, Word, Excel, PowerPoint, OpenDocument or text, at most %(limit)s. The text "
            "in it is checked for personal data."
        ) % {"limit": max_size_label()}
