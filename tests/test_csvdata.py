import numpy as np
import pytest

from poisontui.engine.csvdata import load_csv
from poisontui.engine.errors import InputError


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def good_rows(n=10):
    return "".join(f"{i},{i * 2.5},{'yes' if i % 2 else 'no'}\n" for i in range(n))


def test_header_detected_and_text_labels_encoded(tmp_path):
    data = load_csv(write(tmp_path, "a,b,outcome\n" + good_rows()))
    assert data.feature_names == ["a", "b"]
    assert data.class_names == ["no", "yes"]
    assert data.X.shape == (10, 2)
    assert np.array_equal(data.y, [0, 1] * 5)


def test_headerless_file_and_label_by_index(tmp_path):
    data = load_csv(write(tmp_path, good_rows()))
    assert data.feature_names == ["column 0", "column 1"] and data.class_names == ["no", "yes"]
    numeric = "".join(f"{i % 2},{i},{i * 3}\n" for i in range(10))
    data = load_csv(write(tmp_path, numeric), label="0")
    assert data.feature_names == ["column 1", "column 2"] and data.class_names == ["0", "1"]


def test_label_by_name(tmp_path):
    text = "y,a,b\n" + "".join(f"{i % 2},{i},{i * 3}\n" for i in range(10))
    data = load_csv(write(tmp_path, text), label="y")
    assert data.feature_names == ["a", "b"] and data.class_names == ["0", "1"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("a,b,y\n", "only 0 data rows"),
        ("a,b,y\n" + good_rows() + "1,oops,yes\n", "column 'b', line 12: 'oops' is not a number"),
        ("a,b,y\n" + good_rows() + "1,,yes\n", "column 'b', line 12: an empty cell is not a number"),
        ("a,b,y\n" + good_rows() + "1,inf,yes\n", "not a finite number"),
        ("a,b,y\n" + good_rows() + "1,nan,yes\n", "not a finite number"),
        ("a,b,y\n" + good_rows() + "1,2\n", "line 12 has 2 fields"),
        ("a,b,y\n" + "".join(f"{i},{i},same\n" for i in range(8)), "one class only"),
        ("a,b,y\n" + good_rows() + "1,2,rare\n", "class 'rare' has only 1 row"),
    ],
)
def test_bad_files_get_one_clear_message(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        load_csv(write(tmp_path, text))


def test_unknown_label_column_lists_the_columns(tmp_path):
    with pytest.raises(InputError, match="no label column 'target'; columns are a, b, y"):
        load_csv(write(tmp_path, "a,b,y\n" + good_rows()), label="target")


def test_missing_file_folder_and_binary_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_csv(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="is a folder"):
        load_csv(tmp_path)
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81" * 100)
    with pytest.raises(InputError, match="not UTF-8"):
        load_csv(binary)


def test_file_too_large_says_how_to_subsample(tmp_path, monkeypatch):
    import poisontui.engine.csvdata as csvdata

    monkeypatch.setattr(csvdata, "MAX_BYTES", 100)
    with pytest.raises(InputError, match="subsample"):
        load_csv(write(tmp_path, "a,b,y\n" + good_rows(20)))


def test_semicolon_separated_file(tmp_path):
    text = "a;b;y\n" + "".join(f"{i};{i * 2};{i % 2}\n" for i in range(10))
    assert load_csv(write(tmp_path, text)).X.shape == (10, 2)
