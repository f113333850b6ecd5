"""Recommendations outside rounds (service.py), their SQL (repository.py) and Structs
(schemas.py). The names other modules import are re-exported here."""

from service.recommend.schemas import Recommendation, Recommendations
from service.recommend.service import DIRECTIONS, Direction, Recommender, _logged

__all__ = ["DIRECTIONS", "Direction", "Recommendation", "Recommendations", "Recommender", "_logged"]
