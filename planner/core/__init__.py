"""The core every layer may use: errors, statuses, files written whole, units, the version,
fault points, safe terminal output and worker processes. It imports nothing else of the planner."""
