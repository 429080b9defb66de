import numpy as np
import pytest

from poisontui.engine.attacks import ATTACKS, Backdoor, ConfidenceFlip, Injection, LabelFlip, TargetedFlip, share
from poisontui.engine.errors import InputError

NAMES = ["class 0", "class 1"]


def test_share_is_exact_despite_float_noise():
    assert share(0.1, 700) == 70
    assert share(0.29, 100) == 29
    assert share(0.7, 10) == 7


@pytest.mark.parametrize("ratio", [0.0, 0.1, 0.33, 0.5])
def test_label_flip_flips_exactly_the_share_and_nothing_else(binary_data, ratio):
    X, y = binary_data
    out = LabelFlip(ratio=ratio).poison(X, y, seed=0, class_names=NAMES)
    assert out.count == share(ratio, len(y))
    assert np.array_equal(out.mask, out.y != y)
    assert np.array_equal(out.X, X)


def test_label_flip_multiclass_moves_to_another_class(three_class_data):
    X, y = three_class_data
    out = LabelFlip(ratio=0.3).poison(X, y, seed=4, class_names=["a", "b", "c"])
    assert out.count == 90
    assert np.all(out.y[out.mask] != y[out.mask])
    assert set(out.y[out.mask]) == {0, 1, 2}


def test_attacks_are_reproducible_from_the_seed(binary_data):
    X, y = binary_data
    for name, cls in ATTACKS.items():
        first = cls().poison(X, y, seed=7, class_names=NAMES)
        again = cls().poison(X, y, seed=7, class_names=NAMES)
        assert np.array_equal(first.y, again.y) and np.array_equal(first.X, again.X), name
    a = LabelFlip().poison(X, y, seed=1, class_names=NAMES)
    b = LabelFlip().poison(X, y, seed=2, class_names=NAMES)
    assert not np.array_equal(a.mask, b.mask)


def test_targeted_flip_only_moves_source_rows_to_target(binary_data):
    X, y = binary_data
    out = TargetedFlip(ratio=0.5, source="class 1", target="class 0").poison(X, y, seed=0, class_names=NAMES)
    assert out.count == share(0.5, int((y == 1).sum()))
    assert np.all(y[out.mask] == 1) and np.all(out.y[out.mask] == 0)
    assert np.array_equal(out.y[~out.mask], y[~out.mask])


def test_targeted_flip_rejects_unknown_and_equal_classes(binary_data):
    X, y = binary_data
    with pytest.raises(InputError, match="unknown class 'stop'"):
        TargetedFlip(source="stop").poison(X, y, seed=0, class_names=NAMES)
    with pytest.raises(InputError, match="same class"):
        TargetedFlip(source="0", target="0").poison(X, y, seed=0, class_names=NAMES)


def test_confidence_flip_hurts_more_than_random_flips():
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=42)

    def accuracy(attack):
        out = attack.poison(Xtr, ytr, seed=0, class_names=["malignant", "benign"])
        model = make_pipeline(StandardScaler(), LogisticRegression()).fit(out.X, out.y)
        return model.score(Xte, yte)

    targeted, random = accuracy(ConfidenceFlip(ratio=0.2)), accuracy(LabelFlip(ratio=0.2))
    assert targeted < 0.8 < random


def test_confidence_flip_within_one_class(binary_data):
    X, y = binary_data
    out = ConfidenceFlip(ratio=0.1, within="class 0").poison(X, y, seed=0, class_names=NAMES)
    # ratio is a share of the rows it may flip: those of class 0.
    assert out.count == np.sum(y == 0) // 10 and np.all(y[out.mask] == 0)
    # So half of one class is a valid request, where it used to be refused.
    half = ConfidenceFlip(ratio=0.5, within="class 0").poison(X, y, seed=0, class_names=NAMES)
    assert half.count == np.sum(y == 0) // 2


def test_injection_appends_exactly_the_share_with_wrong_labels(binary_data):
    X, y = binary_data
    for placement in ("inside", "outside"):
        out = Injection(ratio=0.1, placement=placement).poison(X, y, seed=0, class_names=NAMES)
        assert len(out.y) == len(y) + 40 and out.count == 40
        assert np.array_equal(out.X[: len(y)], X) and np.array_equal(out.y[: len(y)], y)
        assert np.all(out.mask[len(y):])
    outside = Injection(ratio=0.1, distance=6).poison(X, y, seed=0, class_names=NAMES)
    centre, spread = X.mean(axis=0), np.linalg.norm(X - X.mean(axis=0), axis=1).max()
    assert np.all(np.linalg.norm(outside.X[outside.mask] - centre, axis=1) > spread)


def test_backdoor_stamps_trigger_and_relabels_to_target(binary_data):
    X, y = binary_data
    out = Backdoor(ratio=0.1, target="class 0", size=2).poison(X, y, seed=0, class_names=NAMES)
    assert out.count == np.sum(y != 0) // 10  # a share of the rows not already of the target class
    assert np.all(out.y[out.mask] == 0) and np.all(y[out.mask] == 1)
    assert np.all(out.X[out.mask][:, -2:] == out.trigger_values)
    assert np.all(out.trigger_values > X[:, -2:].max(axis=0))
    assert np.array_equal(out.X[~out.mask], X[~out.mask])
    assert np.array_equal(out.X[out.mask][:, :-2], X[out.mask][:, :-2])


def test_backdoor_success_rate_is_high_while_clean_accuracy_holds():
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=42)
    attack = Backdoor(ratio=0.05, target="0")
    out = attack.poison(Xtr, ytr, seed=0, class_names=[str(i) for i in range(10)])
    model = LogisticRegression(max_iter=2000).fit(out.X, out.y)
    assert model.score(Xte, yte) > 0.9
    assert attack.success_rate(model, Xte, yte, out) > 0.8
