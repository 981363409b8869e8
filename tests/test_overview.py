"""kb.overview: what the home page says the knowledge base holds."""

from __future__ import annotations

from kb.knowledge import KnowledgeBase


def test_counts_trips_by_country_city_and_year(sample_db_path):
    o = KnowledgeBase(sample_db_path).overview()
    assert o["reports"] == 2 and o["chunks"] > 50 and 0 < o["institutions"] < 14  # 14 rows, one merged
    assert o["countries"] == [("중국", 2)]
    assert ("충칭", 2) == o["cities"][0] and {"청두", "구이양"} <= {c for c, _ in o["cities"]}
    assert o["years"] == [(2019, 1), (2018, 1)]
    assert [r["trip_start"][:4] for r in o["newest"]] == ["2019", "2018"]
