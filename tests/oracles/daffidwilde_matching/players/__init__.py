"""Top-level imports for the `matching.players` subpackage."""

from .hospital import Hospital
from .player import Player
from .project import Project
from .supervisor import Supervisor

__all__ = ["Hospital", "Player", "Project", "Supervisor"]
