"""Matchmaking rounds: open-challenge calls (揭榜挂帅) and recruitment fairs, end to end."""
