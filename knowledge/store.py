"""SQL for knowledge documents and chunks; every function runs on a connection inside tenant_tx.
Why and how: docs/design/knowledge.md."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import numpy as np
import psycopg
from psycopg.rows import DictRow, dict_row
from pydantic import BaseModel

from knowledge.chunking import Chunk
from knowledge.documents import SourceDocument


class DocumentState(BaseModel):
    """What ingestion needs to know about a stored document to decide whether to redo it."""

    id: UUID
    source: str
    content_hash: str
    url: str | None
    origin: str
    chunks: int
    models: list[str]
    channel_scope: str | None = None
    created_by: str | None = None


class DocumentInfo(BaseModel):
    """A stored document as listed to people (`/nox kb`, `jamono kb list`)."""

    id: UUID
    source: str
    title: str
    url: str | None
    tags: list[str]
    lang: str | None
    origin: str
    chunks: int
    embedding_models: list[str]
    created_by: str | None
    updated_at: datetime


def _dicts(conn: psycopg.Connection[Any]) -> psycopg.Cursor[DictRow]:
    """A cursor returning dicts whatever the connection's own row factory."""
    return conn.cursor(row_factory=dict_row)


def vector_literal(vec: np.ndarray) -> str:
    """pgvector's text form; 9 significant digits round-trip float32 exactly."""
    return "[" + ",".join(f"{x:.9g}" for x in np.asarray(vec, dtype=np.float32).tolist()) + "]"


def document_states(conn: psycopg.Connection[Any], sources: Sequence[str]) -> dict[str, DocumentState]:
    rows = (
        _dicts(conn)
        .execute(
            "SELECT d.id, d.source, d.content_hash, d.url, d.origin, d.channel_scope, d.created_by,"
            " count(c.id) AS chunks, coalesce(array_agg(DISTINCT c.embedding_model)"
            "   FILTER (WHERE c.embedding_model IS NOT NULL), '{}') AS models"
            " FROM knowledge_documents d LEFT JOIN knowledge_chunks c ON c.document_id = d.id"
            " WHERE d.tenant_id = jamono_current_tenant() AND d.source = ANY(%s)"
            " GROUP BY d.id",
            [list(sources)],
        )
        .fetchall()
    )
    return {r["source"]: DocumentState(**r) for r in rows}


def update_metadata(
    conn: psycopg.Connection[Any],
    document_id: UUID,
    *,
    url: str | None,
    origin: str,
    channel_scope: str | None = None,
) -> None:
    conn.execute(
        "UPDATE knowledge_documents SET url = %s, origin = %s, channel_scope = %s, updated_at = now() WHERE id = %s",
        [url, origin, channel_scope, document_id],
    )


class DocumentTaken(Exception):
    """The document exists and belongs to someone else: `author` (None: operators') keeps it."""

    def __init__(self, source: str, author: str | None) -> None:
        super().__init__(f"{source} belongs to {author or 'the operators'}")
        self.author = author


def one_writer_per_tenant(conn: psycopg.Connection[Any]) -> None:
    """Serialise a tenant's document writes until commit. Their triggers update the tenant's term
    counts (knowledge_terms) in two statements, removed chunks then added ones: two writers taking
    those row locks in different orders deadlock (two processes loading the bundled runbooks did)."""
    conn.execute("SELECT pg_advisory_xact_lock(7431, hashtext(jamono_current_tenant()::text))")


def write_document(
    conn: psycopg.Connection[Any],
    tenant_id: UUID,
    doc: SourceDocument,
    *,
    fingerprint: str,
    chunks: Sequence[Chunk],
    vectors: np.ndarray,
    model_id: str,
    origin: str,
    created_by: str | None,
    owned_by: str | None = None,
) -> tuple[UUID, bool]:
    """Upsert the document and replace all its chunks; returns (id, created). Call inside one
    transaction: readers see the old chunks or the new ones, never a mix or none.
    With `owned_by`, an existing document is replaced only if that person wrote it, else
    DocumentTaken: the check is the upsert's own condition, so two writers cannot both pass it."""
    if len(chunks) != len(vectors):
        raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
    one_writer_per_tenant(conn)
    row = (
        _dicts(conn)
        .execute(
            "INSERT INTO knowledge_documents"
            " (tenant_id, source, title, url, tags, lang, origin, content, content_hash, created_by, channel_scope)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (tenant_id, source) DO UPDATE SET title = EXCLUDED.title, url = EXCLUDED.url,"
            "   channel_scope = EXCLUDED.channel_scope,"
            "   tags = EXCLUDED.tags, lang = EXCLUDED.lang, origin = EXCLUDED.origin, content = EXCLUDED.content,"
            "   content_hash = EXCLUDED.content_hash,"
            "   created_by = coalesce(knowledge_documents.created_by, EXCLUDED.created_by), updated_at = now()"
            " WHERE %s::text IS NULL OR knowledge_documents.created_by = %s"
            " RETURNING id, (xmax = 0) AS created",
            [
                tenant_id,
                doc.source,
                doc.title,
                doc.url,
                doc.tags,
                doc.lang,
                origin,
                doc.content,
                fingerprint,
                created_by,
                doc.channel_scope,
                owned_by,
                owned_by,
            ],
        )
        .fetchone()
    )
    if row is None:  # the conflicting row failed the condition: someone else's document
        raise DocumentTaken(doc.source, document_author(conn, doc.source))
    document_id: UUID = row["id"]
    conn.execute("DELETE FROM knowledge_chunks WHERE document_id = %s", [document_id])
    # COPY is refused on tables with row-level security; executemany pipelines the INSERTs.
    conn.cursor().executemany(
        "INSERT INTO knowledge_chunks"
        " (tenant_id, document_id, ord, heading, content, search_text, embedding_model, embedding)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s::vector)",
        [
            [
                tenant_id,
                document_id,
                chunk.ord,
                chunk.heading,
                chunk.content,
                chunk.search_text,
                model_id,
                vector_literal(vec),
            ]
            for chunk, vec in zip(chunks, vectors, strict=True)
        ],
    )
    return document_id, bool(row["created"])


def document_author(conn: psycopg.Connection[Any], source: str) -> str | None:
    row = conn.execute(
        "SELECT created_by FROM knowledge_documents WHERE tenant_id = jamono_current_tenant() AND source = %s",
        [source],
    ).fetchone()
    return None if row is None else (row["created_by"] if isinstance(row, dict) else row[0])


def delete_document(conn: psycopg.Connection[Any], source_or_id: str | UUID) -> bool:
    """Delete by id or by source; chunks go with it (ON DELETE CASCADE)."""
    one_writer_per_tenant(conn)
    try:
        as_id: UUID | None = source_or_id if isinstance(source_or_id, UUID) else UUID(str(source_or_id))
    except ValueError:
        as_id = None
    if as_id is not None:
        deleted = (
            _dicts(conn)
            .execute(
                "DELETE FROM knowledge_documents WHERE tenant_id = jamono_current_tenant() AND id = %s RETURNING id",
                [as_id],
            )
            .fetchone()
        )
        if deleted:
            return True
    deleted = (
        _dicts(conn)
        .execute(
            "DELETE FROM knowledge_documents WHERE tenant_id = jamono_current_tenant() AND source = %s RETURNING id",
            [str(source_or_id)],
        )
        .fetchone()
    )
    return deleted is not None


def sources_with_origin(conn: psycopg.Connection[Any], origin: str) -> list[str]:
    rows = (
        _dicts(conn)
        .execute(
            "SELECT source FROM knowledge_documents WHERE tenant_id = jamono_current_tenant() AND origin = %s",
            [origin],
        )
        .fetchall()
    )
    return [r["source"] for r in rows]


def list_documents(conn: psycopg.Connection[Any], *, origin: str | None = None) -> list[DocumentInfo]:
    rows = (
        _dicts(conn)
        .execute(
            "SELECT d.id, d.source, d.title, d.url, d.tags, d.lang, d.origin, d.created_by, d.updated_at,"
            " count(c.id) AS chunks, coalesce(array_agg(DISTINCT c.embedding_model)"
            "   FILTER (WHERE c.embedding_model IS NOT NULL), '{}') AS embedding_models"
            " FROM knowledge_documents d LEFT JOIN knowledge_chunks c ON c.document_id = d.id"
            " WHERE d.tenant_id = jamono_current_tenant() AND (%s::text IS NULL OR d.origin = %s)"
            " GROUP BY d.id ORDER BY d.origin, d.source",
            [origin, origin],
        )
        .fetchall()
    )
    return [DocumentInfo(**r) for r in rows]


class StoredDocument(BaseModel):
    """A whole document, to quote the sections an answer needs (not just the chunk that matched)."""

    id: UUID
    source: str
    title: str
    url: str | None
    lang: str | None
    content: str


def load_documents(conn: psycopg.Connection[Any], ids: Sequence[UUID]) -> dict[UUID, StoredDocument]:
    if not ids:
        return {}
    rows = (
        _dicts(conn)
        .execute(
            "SELECT id, source, title, url, lang, content FROM knowledge_documents"
            " WHERE tenant_id = jamono_current_tenant() AND id = ANY(%s)",
            [list(ids)],
        )
        .fetchall()
    )
    return {r["id"]: StoredDocument.model_validate(r) for r in rows}
