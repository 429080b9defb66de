import pytest

from poisontui.engine.errors import InputError
from poisontui.engine.params import Param, check_params, parse_spec


def test_parse_spec_splits_name_and_values():
    assert parse_spec("knn-sanitize:k=5, eta=0.6") == ("knn-sanitize", {"k": "5", "eta": "0.6"})
    assert parse_spec("logreg") == ("logreg", {})


def test_parse_spec_rejects_items_without_equals():
    with pytest.raises(InputError, match="expected key=value"):
        parse_spec("knn-sanitize:k")


def test_param_coerces_text_and_enforces_range():
    ratio = Param("ratio", float, 0.1, "share", 0.0, 0.9)
    assert ratio.coerce("0.25") == 0.25
    with pytest.raises(InputError, match="between 0 and 0.9"):
        ratio.coerce("1.5")
    with pytest.raises(InputError, match="must be a number"):
        ratio.coerce("lots")
    with pytest.raises(InputError, match="finite"):
        ratio.coerce("nan")


def test_int_param_rejects_fractions_and_bools():
    k = Param("k", int, 5, "neighbours", 1, 100)
    assert k.coerce("7") == 7
    with pytest.raises(InputError, match="whole number"):
        k.coerce("2.5")
    with pytest.raises(InputError, match="whole number"):
        k.coerce(True)


def test_choice_param_suggests_the_nearest_choice():
    action = Param("action", str, "drop", "what", choices=("drop", "relabel"))
    with pytest.raises(InputError, match="did you mean 'relabel'"):
        action.coerce("relabl")


def test_unknown_parameter_names_the_known_ones():
    params = (Param("k", int, 5, "neighbours", 1, 10),)
    with pytest.raises(InputError, match="no parameter 'kk'.*did you mean 'k'"):
        check_params("knn", params, {"kk": 3})
    assert check_params("knn", params, {}) == {"k": 5}
