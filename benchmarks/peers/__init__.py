"""Peer engines solving a simpler version of the problem, for members/s side by side."""
