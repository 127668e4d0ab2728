"""Writes victim-survey-responses-SYNTHETIC.csv.gz: made-up survey responses, not data.

Run from the repository root: python data/sample/local/make_synthetic_survey.py
The responses are drawn with a fixed seed, so the file is the same on every run. They
are shaped like a real extract (West Midlands, its seven local authorities, 2018-2020,
about a fifth domestic abuse) with satisfaction near the published email-survey rates
(47% in 2018-2019, 43% in 2020), lower for domestic abuse victims, so the demo's
charts look like a survey's; no figure in it describes any real victim.
"""

import csv
import gzip
import io
import random

AREAS = ("Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton")
WEIGHTS = (40, 13, 11, 11, 7, 10, 9)
GROUPS = ("Burglary", "Violent crime", "Vehicle crime", "Theft", "Criminal damage", "Hate crime")
SCALE = (
    "completely satisfied",
    "very satisfied",
    "fairly satisfied",
    "neither satisfied nor dissatisfied",
    "fairly dissatisfied",
    "very dissatisfied",
    "completely dissatisfied",
)


def main() -> None:
    rng = random.Random(20201231)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["response_id", "month_closed", "offence_group", "area", "domestic_abuse",
         "overall_satisfaction"]
    )
    n = 0
    for year in (2018, 2019, 2020):
        for month in range(1, 13):
            for _ in range(rng.randint(45, 70)):
                n += 1
                domestic = rng.random() < 0.2
                group = "Violent crime" if domestic else rng.choice(GROUPS)
                chance = (0.47 if year < 2020 else 0.43) - (0.08 if domestic else 0.0)
                if rng.random() < chance:
                    answer = rng.choice(SCALE[:3])
                else:
                    answer = rng.choice(SCALE[3:])
                # Some systems export the scale as numbers 1 to 7.
                if rng.random() < 0.1:
                    answer = str(SCALE.index(answer) + 1)
                writer.writerow(
                    [f"S{n:05d}", f"{year}-{month:02d}", group,
                     rng.choices(AREAS, WEIGHTS)[0], "yes" if domestic else "no", answer]
                )
    with gzip.GzipFile(
        "data/sample/local/victim-survey-responses-SYNTHETIC.csv.gz", "wb", mtime=0
    ) as fh:
        fh.write(out.getvalue().encode("utf-8"))


if __name__ == "__main__":
    main()
