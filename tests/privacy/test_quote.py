"""The one rule for quoting a stored text outside the analyst role (dossier examples, exports)."""

from django.utils import translation

from privacy.mask import quotable, quote_blocker


def test_a_possible_name_blocks_a_quote_before_anything_else() -> None:
    assert quote_blocker("Kalle Enqvist ringde om beslutet från FK.") == "name"
    assert quote_blocker("Kalle Enqvist, 850312–2387, ringde.") == "name"
    assert quote_blocker("Ring 070-123 45 67 om beslutet.") == "personal data"
    assert quote_blocker("FK och Af bedömer arbetsförmågan olika enligt 27 kap. 48 §.") is None


def test_an_export_leaves_out_a_named_text_only_outside_the_analyst_role() -> None:
    named = "Kalle Enqvist fick avslag från FK."
    with translation.override("sv"):
        assert quotable(named, names_allowed=False) == (
            "[utelämnad: texten innehåller ett möjligt namn]"
        )
    assert quotable(named, names_allowed=True) == named
    for names_allowed in (False, True):
        masked = quotable("Ring 070-123 45 67 om beslutet.", names_allowed=names_allowed)
        assert masked.startswith("Ring [")
        assert "45 67" not in masked
        assert quotable("Inget här.", names_allowed=names_allowed) == "Inget här."
