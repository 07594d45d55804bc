"""Class mode: rounds that every student's run joins, their store (SQLite in WAL, or any SQLAlchemy
database, one writer thread) and the board the room watches."""

from core.classroom.board import Board, board, sigma
from core.classroom.nicknames import NICKNAME_MAX, default_nickname
from core.classroom.records import Result, Round, RoundClosed, StoreUnavailable
from core.classroom.runs import StudentRun, record_estimate, run_for_student
from core.classroom.store import ClassStore

__all__ = [
    "NICKNAME_MAX",
    "Board",
    "ClassStore",
    "Result",
    "Round",
    "RoundClosed",
    "StoreUnavailable",
    "StudentRun",
    "board",
    "default_nickname",
    "record_estimate",
    "run_for_student",
    "sigma",
]
