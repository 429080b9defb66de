"""Loading a user's data file: formats, column roles, missing values, samples and clear refusals."""

import bz2
import gzip
import lzma
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from poisontui.engine.errors import InputError
from poisontui.engine.filedata import load_file, stratified
from poisontui.engine.splitting import split

DATA = Path(__file__).parent / "data"
PENGUINS = DATA / "penguins.csv"
WEATHER = DATA / "seattle-weather.csv"


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def good_rows(n=10):
    return "".join(f"{i},{i * 2.5},{'yes' if i % 2 else 'no'}\n" for i in range(n))


def roles(data):
    return {r.column: r.role for r in data.report.roles}


def test_header_detected_and_text_labels_encoded(tmp_path):
    data = load_file(write(tmp_path, "a,b,outcome\n" + good_rows()))
    assert data.feature_names == ["a", "b"]
    assert data.class_names == ["no", "yes"]
    assert data.X.shape == (10, 2)
    assert np.array_equal(data.y, [0, 1] * 5)


def test_headerless_file_and_label_by_index(tmp_path):
    data = load_file(write(tmp_path, good_rows()))
    assert data.feature_names == ["column 0", "column 1"] and data.class_names == ["no", "yes"]
    numeric = "".join(f"{i % 2},{i},{i * 3}\n" for i in range(10))
    data = load_file(write(tmp_path, numeric), label="0")
    assert data.feature_names == ["column 1", "column 2"] and data.class_names == ["0", "1"]


def test_label_by_name_and_by_negative_index(tmp_path):
    text = "y,a,b\n" + "".join(f"{i % 2},{i},{i * 3}\n" for i in range(10))
    data = load_file(write(tmp_path, text), label="y")
    assert data.feature_names == ["a", "b"] and data.class_names == ["0", "1"]
    assert load_file(write(tmp_path, text), label="-3").class_names == ["0", "1"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("a,b,y\n", "no rows with a label"),
        ("a,b,y\n" + good_rows() + "1,oops,yes\n", "column 'b', line 12: 'oops' is not a number"),
        ("a,b,y\n" + good_rows() + "1,inf,yes\n", "column 'b', line 12: inf is not a finite number"),
        ("a,b,y\n" + good_rows() + "1,2,yes,4\n", "line 12 has 4 fields where the first row has 3"),
        ("a,b,y\n" + good_rows() + '1,"2,yes\n', "the quote opened on line 12 is never closed"),
        ("a,b,y\n" + "".join(f"{i},{i},same\n" for i in range(8)), "one class only"),
        ("a,b,y\n" + good_rows() + "1,2,rare\n", "class 'rare' has only 1 row"),
        ("only\n1\n2\n", "found 1 column"),
    ],
)
def test_bad_files_get_one_clear_message(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        load_file(write(tmp_path, text))


def test_unknown_label_column_lists_the_columns(tmp_path):
    with pytest.raises(InputError, match="no label column 'target'; columns are a, b, y"):
        load_file(write(tmp_path, "a,b,y\n" + good_rows()), label="target")
    with pytest.raises(InputError, match="no label column '²'"):  # isdigit() accepts it, int() does not
        load_file(write(tmp_path, "a,b,y\n" + good_rows()), label="²")


def test_missing_file_folder_and_binary_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_file(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="is a folder"):
        load_file(tmp_path)
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 10)
    with pytest.raises(InputError, match="not a text file"):
        load_file(binary)


def test_delimiters_and_the_decimal_comma(tmp_path):
    rows = [(i, i * 2 + 0.5, i % 2) for i in range(10)]
    for delimiter in (";", "\t", "|"):
        text = delimiter.join("aby") + "\n" + "".join(delimiter.join(map(str, r)) + "\n" for r in rows)
        data = load_file(write(tmp_path, text))
        assert data.X.shape == (10, 2) and data.X[1, 1] == 2.5
    european = "a;b;y\n" + "".join(f"{i};{i * 2},5;{i % 2}\n" for i in range(10))
    assert load_file(write(tmp_path, european)).X[1, 1] == 2.5


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_common_encodings(tmp_path, encoding):
    text = "größe,stadt,klasse\n" + "".join(f"{i},{'Zürich' if i % 3 else 'Besançon'},{'oui' if i % 2 else 'non'}\n"
                                            for i in range(12))
    path = tmp_path / "enc.csv"
    path.write_bytes(text.encode(encoding))
    data = load_file(path)
    assert data.feature_names == ["größe", "stadt"]
    assert set(data.X["stadt"]) == {"Zürich", "Besançon"}


def test_compressed_files_give_the_same_data(tmp_path):
    raw = PENGUINS.read_bytes()
    plain = load_file(PENGUINS, "species")
    (tmp_path / "p.csv.gz").write_bytes(gzip.compress(raw))
    (tmp_path / "p.csv.bz2").write_bytes(bz2.compress(raw))
    (tmp_path / "p.csv.xz").write_bytes(lzma.compress(raw))
    with zipfile.ZipFile(tmp_path / "p.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("penguins.csv", raw)
    for name in ("p.csv.gz", "p.csv.bz2", "p.csv.xz", "p.zip"):
        data = load_file(tmp_path / name, "species")
        pd.testing.assert_frame_equal(data.X, plain.X)
        assert np.array_equal(data.y, plain.y)


def test_a_zip_of_two_files_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as archive:
        archive.writestr("a.csv", "a,y\n1,2\n")
        archive.writestr("b.csv", "a,y\n1,2\n")
    with pytest.raises(InputError, match="exactly one data file"):
        load_file(tmp_path / "two.zip")


def test_json_lines(tmp_path):
    lines = "".join(f'{{"a": {i}, "b": "{"x" if i % 3 else "z"}", "y": "{"p" if i % 2 else "q"}"}}\n'
                    for i in range(12))
    data = load_file(write(tmp_path, lines, "d.jsonl"))
    assert roles(data) == {"y": "label", "a": "numeric", "b": "category"}
    with pytest.raises(InputError, match="line 13 is not valid JSON"):
        load_file(write(tmp_path, lines + '{"a": 1, "b": \n', "bad.jsonl"))


def test_penguins_roles_missing_cells_and_counts():
    data = load_file(PENGUINS, "species")
    assert data.class_names == ["Adelie", "Chinstrap", "Gentoo"]
    assert roles(data) == {"species": "label", "island": "category", "bill_length_mm": "numeric",
                           "bill_depth_mm": "numeric", "flipper_length_mm": "numeric", "body_mass_g": "numeric",
                           "sex": "category", "year": "numeric"}
    report = data.report
    assert (report.rows, report.unlabelled, report.imputed_cells, report.imputed_rows) == (344, 0, 19, 11)
    parts = split(data, 0.3, 42)
    assert parts.feature_names == ["year", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g",
                                   "island=Biscoe", "island=Dream", "island=Torgersen", "sex=female", "sex=male"]
    assert not np.isnan(parts.X_train).any() and not np.isnan(parts.X_test).any()


def test_weather_date_becomes_numbers():
    data = load_file(WEATHER)
    assert data.class_names == ["drizzle", "fog", "rain", "snow", "sun"]
    assert roles(data)["date"] == "date"
    assert data.feature_names[:2] == ["date (year)", "date (day of year)"]
    assert data.X[0, :2].tolist() == [2012.0, 1.0]
    assert data.X[366, 0] == 2013.0  # 2012 is a leap year


def test_imputation_and_categories_come_from_the_training_rows_only(tmp_path):
    rng = np.random.default_rng(0)
    n = 200
    numbers = rng.normal(size=n).round(3)
    colours = rng.choice(["red", "blue"], n)
    labels = np.where(numbers > 0, "up", "down")
    text = "x,colour,y\n" + "".join(f"{'' if i % 7 == 0 else v},{c},{l}\n"
                                    for i, (v, c, l) in enumerate(zip(numbers, colours, labels)))
    path = write(tmp_path, text)
    data = load_file(path)
    parts = split(data, 0.3, 42)
    raw_train, raw_test = split_rows(data, 0.3, 42)
    train_median = np.nanmedian(raw_train["x"].to_numpy(dtype=float))
    all_median = np.nanmedian(data.X["x"].to_numpy(dtype=float))
    assert train_median != all_median
    imputed = raw_test["x"].isna().to_numpy()
    assert imputed.any() and np.allclose(parts.X_test[imputed, parts.feature_names.index("x")], train_median)
    # A colour seen only in the test rows gets no column of its own, and all zeros.
    test_only = raw_test.index[0]
    lines = path.read_text().splitlines()
    fields = lines[test_only + 1].split(",")
    lines[test_only + 1] = ",".join([fields[0], "green", fields[2]])
    path.write_text("\n".join(lines) + "\n")
    data = load_file(path)
    parts = split(data, 0.3, 42)
    assert not any("green" in name for name in parts.feature_names)
    row = list(split_rows(data, 0.3, 42)[1].index).index(test_only)
    colour = [parts.feature_names.index(c) for c in ("colour=blue", "colour=red")]
    assert parts.X_test[row, colour].tolist() == [0.0, 0.0]


def split_rows(data, test_size, seed):
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(data.X, test_size=test_size, random_state=seed)
    return train, test


def test_identifiers_constants_and_empty_columns_are_left_out(tmp_path):
    rows = "".join(f"{i + 1},id-{i:04d},{i % 5},7,,{'a' if i % 3 else 'b'},{'p' if i % 2 else 'q'}\n"
                   for i in range(30))
    data = load_file(write(tmp_path, "row,code,level,seven,nothing,kind,y\n" + rows))
    details = {r.column: (r.role, r.detail) for r in data.report.roles}
    assert details["row"] == ("ignored", "identifier: numbers the rows")
    assert details["code"] == ("ignored", "identifier: unique per row")
    assert details["seven"] == ("ignored", "constant: one value")
    assert details["nothing"] == ("ignored", "empty: no values")
    assert details["level"][0] == "numeric" and details["kind"][0] == "category"
    forced = load_file(write(tmp_path, "row,code,level,seven,nothing,kind,y\n" + rows), features=["row", "level"])
    assert roles(forced)["row"] == "numeric" and roles(forced)["kind"] == "ignored"


def test_features_and_ignore_choose_the_columns():
    data = load_file(PENGUINS, "species", ignore=["island", "year"])
    assert "island" not in data.X and "year" not in data.X
    details = {r.column: r.detail for r in data.report.roles}
    assert details["island"] == "by --ignore"
    data = load_file(PENGUINS, "species", features=["bill_length_mm", "sex"])
    assert list(data.X.columns) == ["bill_length_mm", "sex"]
    with pytest.raises(InputError, match="--ignore names no column 'isle' \\(did you mean 'island'\\?\\)"):
        load_file(PENGUINS, "species", ignore=["isle"])
    with pytest.raises(InputError, match="'species' is the label column"):
        load_file(PENGUINS, "species", ignore=["species"])


def test_missing_drop_drops_and_counts_the_rows():
    data = load_file(PENGUINS, "species", missing="drop")
    assert data.report.dropped_missing == 11 and len(data.y) == 333 and data.report.imputed_cells == 0
    assert not data.X.isna().any().any()


def test_a_label_mixing_1_and_1_0_has_two_classes(tmp_path):
    rows = "".join(f"{i},{i % 3},{['0', '1', '0.0', '1.0'][i % 4]}\n" for i in range(40))
    data = load_file(write(tmp_path, "a,b,y\n" + rows))
    assert data.class_names == ["0", "1"] and data.class_counts() == {"0": 20, "1": 20}
    mixed = "".join(f"{i},{i % 3},{['1', '1.0', 'ten'][i % 3]}\n" for i in range(30))
    assert load_file(write(tmp_path, "a,b,y\n" + mixed)).class_names == ["1", "ten"]


def test_a_nan_label_is_a_missing_label_dropped_and_counted(tmp_path):
    rows = "".join(f"{i},{i % 3},{'a' if i % 2 else 'b'}\n" for i in range(20))
    data = load_file(write(tmp_path, "a,b,y\n" + rows + "5,1,NaN\n6,2,\n7,1,nan\n"))
    assert data.class_names == ["a", "b"] and data.report.unlabelled == 3 and len(data.y) == 20


def test_features_too_large_to_standardise_are_refused(tmp_path):
    rows = "".join(f"{i},{'1e308' if i == 3 else i},{i % 2}\n" for i in range(20))
    with pytest.raises(InputError, match="column 'b', line 5: 1e\\+308 is too large to compute with"):
        load_file(write(tmp_path, "a,b,y\n" + rows))


def test_large_but_safe_features_run_without_overflow_warnings(tmp_path):
    from poisontui.engine.experiment import Config, run_experiment

    rng = np.random.default_rng(1)
    rows = "".join(f"{v * 1e90:.17g},{rng.normal()},{int(v > 0)}\n" for v in rng.normal(size=60))
    path = write(tmp_path, "big,small,y\n" + rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run_experiment(Config.from_dict({"data": str(path), "mitigations": [
            {"name": name, "params": {}} for name in ("zscore-filter", "knn-sanitize", "dp-logreg")]}))
    assert result.row("clean")["accuracy"] > 0.8


def test_the_delimiter_sniffer_is_linear_on_crafted_input(tmp_path):
    """64 KiB that kept the standard library's sniffer (quadratic here) busy for half a minute."""
    path = write(tmp_path, "a,b\n" + ',"a' * 21_000 + "\n")
    done = subprocess.run([sys.executable, "-m", "poisontui", "run", "--data", str(path)], capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 2 and done.stderr.startswith("error: data.csv: ") and done.stderr.count("\n") == 1


def test_the_memory_guard_refuses_before_reading(tmp_path, monkeypatch):
    from poisontui.engine import memory

    monkeypatch.setattr(memory, "available", lambda: memory.Limit(10_000, "available in this test"))
    monkeypatch.setattr(pd, "read_csv", _only_buffers(pd.read_csv))
    with pytest.raises(InputError, match="needs an estimated .* of memory.*--sample"):
        load_file(PENGUINS, "species")


def test_a_sample_is_stratified_seeded_and_the_same_when_read_in_two_passes(monkeypatch):
    import poisontui.engine.reading as reading
    from poisontui.engine import memory

    whole = load_file(WEATHER, sample=300, seed=7)
    assert len(whole.y) == 300 and whole.report.sampled == 300
    counts = whole.class_counts()
    # 300 of 1461 rows: each class's exact share rounded down, the two largest remainders (snow, drizzle) up.
    assert counts == {"drizzle": 14, "fog": 18, "rain": 151, "snow": 5, "sun": 112}
    assert np.array_equal(load_file(WEATHER, sample=300, seed=7).X, whole.X)
    assert not np.array_equal(load_file(WEATHER, sample=300, seed=8).X, whole.X)
    # Too large to hold whole: labels first, then the sampled rows, chunk by chunk.
    monkeypatch.setattr(reading, "CHUNK_ROWS", 100)
    # Beyond the libraries' share, the whole file needs about 360 kB, the sample 74 kB.
    room = memory.BASE_BYTES + 200_000
    monkeypatch.setattr(memory, "available", lambda: memory.Limit(room, "available in this test"))
    monkeypatch.setattr(pd, "read_csv", _only_chunks(pd.read_csv))
    passes = load_file(WEATHER, sample=300, seed=7)
    assert np.array_equal(passes.X, whole.X)
    assert np.array_equal(passes.y, whole.y) and passes.report.to_dict() == whole.report.to_dict()
    with pytest.raises(InputError, match="--sample"):
        load_file(WEATHER)


def _only_buffers(read_csv):
    """read_csv for the 64 KiB sample held in memory, never the file itself."""
    def reader(*args, **kwargs):
        if not hasattr(args[0], "read"):
            pytest.fail("the file was read before the memory check")
        return read_csv(*args, **kwargs)

    return reader


def _only_chunks(read_csv):
    def reader(*args, **kwargs):
        if "chunksize" not in kwargs and not hasattr(args[0], "read"):
            pytest.fail("the whole file was read at once")
        return read_csv(*args, **kwargs)

    return reader


def test_stratified_keeps_two_rows_of_every_class():
    codes = np.r_[np.zeros(1000, int), np.ones(3, int)]
    chosen = stratified(codes, 50, seed=0)
    assert len(chosen) == 50 and (codes[chosen] == 1).sum() == 2


def test_a_parquet_file_gives_the_numbers_of_its_csv(tmp_path):
    """The same data with Parquet's own types: nullable integers, categories, timestamps."""
    from poisontui.engine.experiment import Config, run_experiment

    frame = pd.read_csv(PENGUINS)
    frame["body_mass_g"] = frame["body_mass_g"].astype("Int64")
    frame["island"] = frame["island"].astype("category")
    frame.to_parquet(tmp_path / "penguins.parquet")
    weather = pd.read_csv(WEATHER, parse_dates=["date"])
    weather.to_parquet(tmp_path / "weather.parquet")
    for csv_path, parquet, label in ((PENGUINS, tmp_path / "penguins.parquet", "species"),
                                     (WEATHER, tmp_path / "weather.parquet", None)):
        runs = []
        for path in (csv_path, parquet):
            config = Config.from_dict({"data": str(path), "label": label, "mitigations": [
                {"name": "knn-sanitize", "params": {}}, {"name": "isolation-forest", "params": {}}]})
            runs.append(run_experiment(config).to_dict())
        rows = [[{k: v for k, v in row.items() if k != "fit_seconds"} for row in run["results"]] for run in runs]
        assert rows[0] == rows[1]
        assert runs[0]["dataset"]["columns"] == runs[1]["dataset"]["columns"]


def test_json_arrays_and_parquet_samples_read_in_chunks(tmp_path, monkeypatch):
    from poisontui.engine import memory

    import poisontui.engine.reading as reading

    frame = pd.read_csv(WEATHER)
    frame.to_json(tmp_path / "weather.json", orient="records")
    frame.to_parquet(tmp_path / "weather.parquet")
    assert np.array_equal(load_file(tmp_path / "weather.json").X, load_file(WEATHER).X)
    whole = {name: load_file(tmp_path / name, sample=300, seed=7) for name in ("weather.parquet", "weather.json")}
    monkeypatch.setattr(reading, "CHUNK_ROWS", 100)
    for name, data in whole.items():
        source = reading.open_source(tmp_path / name)
        room = (source.estimate(300) + source.estimate(source.estimated_rows)) // 2  # the sample fits, the file not
        monkeypatch.setattr(memory, "available", lambda: memory.Limit(room, "available in this test"))
        with pytest.raises(InputError, match="--sample"):
            load_file(tmp_path / name)
        assert np.array_equal(load_file(tmp_path / name, sample=300, seed=7).X, data.X)
