"""Embedded MuJoCo simulator of the Robotino 3 speaking the same topics as the real driver."""
