-- Knowledge base: documents and their chunks, searched by vector similarity and full text.

CREATE TABLE knowledge_documents (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    source        text NOT NULL,              -- path, URL or Slack permalink: the document's identity
    title         text NOT NULL,
    url           text,
    tags          text[] NOT NULL DEFAULT '{}',
    lang          text,
    origin        text NOT NULL DEFAULT 'ingest' CHECK (origin IN ('bundled', 'ingest', 'slack')),
    content       text NOT NULL,
    content_hash  text NOT NULL,
    created_by    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, source)
);

CREATE TABLE knowledge_chunks (
    id               bigserial PRIMARY KEY,
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    document_id      uuid NOT NULL REFERENCES knowledge_documents (id) ON DELETE CASCADE,
    ord              integer NOT NULL,
    heading          text NOT NULL DEFAULT '',   -- heading path, e.g. "Diagnosis > Logs"
    content          text NOT NULL,
    search_text      text NOT NULL,              -- accent-folded title + heading + content
    tsv              tsvector GENERATED ALWAYS AS (
                        setweight(to_tsvector('english', search_text), 'A')
                        || setweight(to_tsvector('french', search_text), 'B')) STORED,
    embedding_model  text NOT NULL,
    embedding        vector NOT NULL,
    UNIQUE (document_id, ord)
);
CREATE INDEX knowledge_chunks_tenant_idx ON knowledge_chunks (tenant_id, embedding_model);
CREATE INDEX knowledge_chunks_tsv_idx ON knowledge_chunks USING gin (tsv);
-- One HNSW index per embedding model (vectors of different models never mix).
CREATE INDEX knowledge_chunks_minilm_hnsw ON knowledge_chunks
    USING hnsw ((embedding::vector(384)) vector_cosine_ops)
    WHERE embedding_model = 'all-MiniLM-L6-v2';

SELECT jamono_protect_tenant_table('knowledge_documents');
SELECT jamono_protect_tenant_table('knowledge_chunks');
