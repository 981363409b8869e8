"""kb: a searchable knowledge base of overseas-trip result reports (공무국외출장 결과보고서)."""

__version__ = "0.1.0"
