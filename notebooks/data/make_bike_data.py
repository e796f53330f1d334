"""Write the bike-share data the tutorial reads: stations, two weeks of trips, weather.

Generated, not downloaded, so the tutorial runs offline and the same everywhere
(seeded). The shape is that of a city bike-share's open trip data: one row per
trip with its start time, stations and duration, plus the day's weather. A few
rows are broken on purpose, as real exports are: negative durations from clock
resets and a station id that is not in the station list.

Run ``python notebooks/data/make_bike_data.py`` to write the three CSV files
beside this script.
"""

from __future__ import annotations

import csv
import math
import random
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST_DAY = date(2024, 6, 3)
DAYS = 14
STATIONS = [
    # id, name, district, docks
    (101, "Central Station", "centre", 40),
    (102, "Market Square", "centre", 30),
    (103, "City Hall", "centre", 24),
    (104, "Riverside Park", "river", 20),
    (105, "Old Harbour", "river", 18),
    (106, "Boat House", "river", 12),
    (107, "University", "north", 36),
    (108, "Science Park", "north", 22),
    (109, "Hospital", "north", 16),
    (110, "Stadium", "east", 28),
    (111, "East Market", "east", 14),
    (112, "Depot Lane", "east", 10),
]


def weather(rnd: random.Random) -> list[tuple[str, float, float]]:
    rows = []
    for i in range(DAYS):
        day = FIRST_DAY + timedelta(days=i)
        temp = round(19 + 4 * math.sin(i / 2.3) + rnd.uniform(-1.5, 1.5), 1)
        rain = round(rnd.choice([0, 0, 0, 0.4, 2.5, 9.0]) * rnd.uniform(0.6, 1.4), 1)
        rows.append((day.isoformat(), temp, rain))
    return rows


def trips(rnd: random.Random, days: list[tuple[str, float, float]]) -> list[tuple]:
    ids = [s[0] for s in STATIONS]
    popularity = [s[3] for s in STATIONS]
    rows: list[tuple] = []
    trip_id = 50_000
    for day_text, temp, rain in days:
        day = date.fromisoformat(day_text)
        weekend = day.weekday() >= 5
        volume = 110 + (30 if weekend else 0) + int(2 * (temp - 19)) - int(4 * rain)
        for _ in range(volume):
            hour = rnd.choice([7, 8, 8, 9, 12, 13, 16, 17, 17, 18, 19, 21])
            start = datetime(day.year, day.month, day.day, hour, rnd.randrange(60))
            src, dst = rnd.choices(ids, popularity, k=2)
            minutes = round(rnd.lognormvariate(2.5 if not weekend else 2.9, 0.5), 1)
            member = rnd.random() < (0.45 if weekend else 0.75)
            trip_id += 1
            rows.append((trip_id, start.isoformat(sep=" "), src, dst, minutes, member))
    # What a real export holds too: clock resets and a decommissioned station.
    for index in rnd.sample(range(len(rows)), 6):
        row = list(rows[index])
        row[4] = -row[4]
        rows[index] = tuple(row)
    for index in rnd.sample(range(len(rows)), 4):
        row = list(rows[index])
        row[2] = 199
        rows[index] = tuple(row)
    return rows


def write(name: str, header: list[str], rows: list[tuple]) -> None:
    with (HERE / name).open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    rnd = random.Random(2024)
    days = weather(rnd)
    write("stations.csv", ["station_id", "name", "district", "docks"], STATIONS)
    write("weather.csv", ["day", "temp_c", "rain_mm"], days)
    write(
        "trips.csv",
        ["trip_id", "started_at", "from_station", "to_station", "minutes", "member"],
        trips(rnd, days),
    )


if __name__ == "__main__":
    main()
