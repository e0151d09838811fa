"""A query vector sent to PostgreSQL in pgvector's binary form, not as a text literal.
Why: docs/design/knowledge.md (`knowledge/vector_param.py`)."""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
import psycopg
from psycopg import sql
from psycopg.adapt import Dumper, PyFormat
from psycopg.pq import Format

QueryVector = str | np.ndarray  # pgvector's text literal, or the vector itself


class BinaryVector:
    """Marks an array to be dumped as pgvector's binary `vector` (vector_recv's format)."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        self.array = np.asarray(array, dtype=np.float32)


class _BinaryVectorDumper(Dumper):
    format = Format.BINARY  # oid 0: the statement's `::vector` gives the type

    def dump(self, obj: BinaryVector) -> bytes:
        vec = obj.array.reshape(-1)
        return struct.pack(">HH", vec.shape[0], 0) + vec.astype(">f4").tobytes()


def vector_sql(conn: psycopg.Connection[Any], q: QueryVector, name: str) -> tuple[sql.Composable, dict[str, Any]]:
    """`q` as an SQL expression of type text-or-unknown and its parameters: a literal stays a
    literal; an array becomes the binary parameter `name`."""
    if isinstance(q, str):
        return sql.Literal(q), {}
    conn.adapters.register_dumper(BinaryVector, _BinaryVectorDumper)  # a dict entry: cheap each time
    return sql.Placeholder(name, PyFormat.BINARY), {name: BinaryVector(q)}
