import time

from knowledge.translate import looks_french, to_english


def test_a_french_question_gets_an_english_rendering_with_its_identifiers_kept():
    english = to_english("la base de données est pleine et les pods redémarrent en boucle sur node-3")
    assert english is not None
    for word in ("database", "full", "restart", "loop", "node-3", "pods"):
        assert word in english
    assert " la " not in f" {english} "


def test_english_text_is_left_alone():
    assert to_english("the database is full and pods restart in a loop") is None
    assert not looks_french("how do I roll back a deployment?")
    assert looks_french("comment revenir à la version précédente ?")


def test_the_rendering_is_linear_in_the_text():
    started = time.perf_counter()
    to_english("le disque est plein " + "x" * 40_000)
    to_english("la base " * 5_000)
    assert time.perf_counter() - started < 1.0


def test_abbreviations_are_spelt_out_as_runbooks_name_them():
    from knowledge.translate import spelt_out

    assert spelt_out("PV stuck and the HPA does nothing") == "persistent volume horizontal pod autoscaler"
    assert spelt_out("nothing to expand here") == ""
