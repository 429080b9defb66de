"""Write penguins.csv and seattle-weather.csv: made-up data shaped like the two teaching datasets.

Same columns, types, missing cells and class balance as the public files, with values drawn
around each class's published means (nothing is downloaded). Run from this folder to rewrite them.
"""

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent

# species: rows, {island: rows}, (mean, sd) of bill length, bill depth, flipper length, body mass
PENGUINS = {
    "Adelie": (152, {"Torgersen": 52, "Biscoe": 44, "Dream": 56},
               [(38.8, 2.66), (18.3, 1.22), (190.0, 6.54), (3701.0, 459.0)]),
    "Chinstrap": (68, {"Dream": 68}, [(48.8, 3.34), (18.4, 1.14), (195.8, 7.13), (3733.0, 384.0)]),
    "Gentoo": (124, {"Biscoe": 124}, [(47.5, 3.08), (15.0, 0.98), (217.2, 6.48), (5076.0, 504.0)]),
}


def penguins(rng: np.random.Generator) -> list[list[str]]:
    rows = []
    for species, (n, islands, stats) in PENGUINS.items():
        island_of = [island for island, count in islands.items() for _ in range(count)]
        for i in range(n):
            bill, depth, flipper, mass = (rng.normal(m, s) for m, s in stats)
            sex = "male" if rng.random() < 0.5 else "female"
            rows.append([species, island_of[i], f"{bill:.1f}", f"{depth:.1f}", f"{flipper:.0f}", f"{mass:.0f}",
                         sex, str(2007 + i % 3)])
    # As in the public file: two birds with no measurements, and nine more with no sex recorded.
    for index in (3, 271):
        rows[index][2:7] = ["NA"] * 5
    for index in rng.choice([i for i in range(len(rows)) if i not in (3, 271)], 9, replace=False):
        rows[index][6] = "NA"
    return rows


def seattle(rng: np.random.Generator) -> list[list[str]]:
    rows = []
    day = date(2012, 1, 1)
    while day <= date(2015, 12, 31):
        season = np.cos(2 * np.pi * (day.timetuple().tm_yday - 200) / 365.25)  # 1 in mid-July
        temp_max = 16 + 10 * season + rng.normal(0, 3)
        temp_min = temp_max - 8 + rng.normal(0, 2)
        wet = rng.random() < 0.55 - 0.35 * season
        if wet and temp_max < 4 and rng.random() < 0.5:
            weather, rain = "snow", rng.exponential(8)
        elif wet:
            weather, rain = ("drizzle", rng.uniform(0, 1)) if rng.random() < 0.08 else ("rain", rng.exponential(7))
        else:
            weather, rain = ("fog", 0.0) if rng.random() < 0.15 else ("sun", 0.0)
        wind = max(0.4, rng.normal(3.6 - 0.6 * season + (1.0 if wet else 0.0), 1.3))
        rows.append([day.isoformat(), f"{rain:.1f}", f"{temp_max:.1f}", f"{temp_min:.1f}", f"{wind:.1f}", weather])
        day += timedelta(days=1)
    return rows


def write(name: str, header: list[str], rows: list[list[str]]) -> None:
    with (HERE / name).open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


if __name__ == "__main__":
    write("penguins.csv", ["species", "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm",
                           "body_mass_g", "sex", "year"], penguins(np.random.default_rng(2007)))
    write("seattle-weather.csv", ["date", "precipitation", "temp_max", "temp_min", "wind", "weather"],
          seattle(np.random.default_rng(2012)))
