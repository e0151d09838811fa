"""`jamono keys generate` and `jamono keys rotate`: encryption keys for secrets at rest."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql
from pydantic import BaseModel

from jamono.platform.crypto import DEV_KEY_FILE, SecretBox, SecretDecryptError, generate_key, load_secret_box
from jamono.platform.settings import Settings, get_settings

# Every secret column of the schema. A new encrypted column must be added here to be rotated.
SECRET_COLUMNS: dict[str, tuple[str, ...]] = {
    "slack_installations": ("bot_token_enc", "bot_refresh_token_enc", "user_token_enc", "user_refresh_token_enc"),
    "integration_credentials": ("secret_enc",),
}
ROTATION_ROLE = "jamono_keys"  # sees every tenant's ciphertext and nothing else (migration 0004)


class RotationCount(BaseModel):
    table: str
    rows: int = 0
    rotated: int = 0
    current: int = 0
    unreadable: int = 0
    unreadable_ids: list[int] = []


USAGE = """`jamono keys generate` and `jamono keys rotate`: encryption keys for secrets at rest.

Rotating to a new key without downtime (every reader keeps working because MultiFernet
decrypts with any configured key):

1. `jamono keys generate` → NEW. Deploy JAMONO_ENCRYPTION_KEYS=OLD,NEW everywhere (NEW can now
   be read, OLD still encrypts), so no process meets a secret it cannot open in step 2.
2. Deploy JAMONO_ENCRYPTION_KEYS=NEW,OLD everywhere: new secrets are written under NEW.
3. `jamono keys rotate` re-encrypts what is still under OLD, in batches; safe to re-run or
   interrupt (rows already under NEW are skipped).
4. Deploy JAMONO_ENCRYPTION_KEYS=NEW.
"""


def rotate_table(
    conn: psycopg.Connection[Any], box: SecretBox, table: str, columns: Sequence[str], *, batch_size: int = 500
) -> RotationCount:
    """Re-encrypt one table's secrets under the primary key, one transaction per batch of rows."""
    count = RotationCount(table=table)
    select = sql.SQL("SELECT id, {cols} FROM {table} WHERE id > %s ORDER BY id LIMIT %s FOR UPDATE").format(
        cols=sql.SQL(", ").join(map(sql.Identifier, columns)), table=sql.Identifier(table)
    )
    last_id = 0
    while True:
        with conn.transaction():
            rows = conn.execute(select, [last_id, batch_size]).fetchall()
            for row in rows:
                changes = _rotated_values(box, row, columns, count)
                if changes:
                    conn.execute(
                        sql.SQL("UPDATE {table} SET {sets} WHERE id = %s").format(
                            table=sql.Identifier(table),
                            sets=sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in changes),
                        ),
                        [*changes.values(), row[0]],
                    )
        count.rows += len(rows)
        if len(rows) < batch_size:
            return count
        last_id = rows[-1][0]


def _rotated_values(box: SecretBox, row: tuple, columns: Sequence[str], count: RotationCount) -> dict[str, bytes]:
    changes: dict[str, bytes] = {}
    for column, value in zip(columns, row[1:], strict=True):
        if value is None:
            continue
        if box.is_current(value):
            count.current += 1
            continue
        try:
            changes[column] = box.rotate(value)
        except SecretDecryptError:
            count.unreadable += 1
            if row[0] not in count.unreadable_ids:
                count.unreadable_ids.append(row[0])
            continue
        count.rotated += 1
    return changes


def rotate_all(database_url: str, box: SecretBox, *, batch_size: int = 500) -> list[RotationCount]:
    # The owner is bound by FORCE ROW LEVEL SECURITY too: act as the rotation role, which sees every
    # tenant's ciphertext. Autocommit, so each batch below is its own transaction.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(ROTATION_ROLE)))
        return [
            rotate_table(conn, box, table, columns, batch_size=batch_size) for table, columns in SECRET_COLUMNS.items()
        ]


def _generate(_: argparse.Namespace, __: Settings | None) -> int:
    print(generate_key())
    print(
        "Add it first in JAMONO_ENCRYPTION_KEYS (comma-separated, newest first); see `jamono keys rotate --help`.",
        file=sys.stderr,
    )
    return 0


def _rotate(args: argparse.Namespace, settings: Settings | None) -> int:
    settings = settings or get_settings()
    if not settings.database_url:
        print("jamono keys rotate: DATABASE_URL is not set", file=sys.stderr)
        return 2
    if settings.jamono_encryption_keys is None and not (settings.data_dir / DEV_KEY_FILE).exists():
        # Never invent a key here: nothing would open with it.
        print("jamono keys rotate: JAMONO_ENCRYPTION_KEYS is not set", file=sys.stderr)
        return 2
    box = load_secret_box(settings)
    print(f"re-encrypting under key {box.primary_key_id} ({len(box.key_ids)} key(s) configured)")
    try:
        counts = rotate_all(settings.database_url, box, batch_size=args.batch_size)
    except psycopg.errors.UndefinedObject:
        print(f"jamono keys rotate: role {ROTATION_ROLE} is missing; run `jamono migrate` first", file=sys.stderr)
        return 2
    failed = False
    for c in counts:
        print(
            f"{c.table}: {c.rows} rows, {c.rotated} secrets re-encrypted, {c.current} already current"
            + (
                f", {c.unreadable} unreadable (ids {', '.join(map(str, c.unreadable_ids[:20]))})"
                if c.unreadable
                else ""
            )
        )
        failed = failed or c.unreadable > 0
    if failed:
        print(
            "some secrets open with none of the configured keys: add the key that encrypted them and re-run",
            file=sys.stderr,
        )
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jamono keys", description=USAGE, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("generate", help="print a new Fernet key").set_defaults(run=_generate)
    rotate = sub.add_parser(
        "rotate",
        help="re-encrypt every stored secret under the first configured key",
        description=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rotate.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")
    rotate.set_defaults(run=_rotate)
    return parser


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    args = build_parser().parse_args(list(argv) if argv is not None else None)
    if getattr(args, "batch_size", 1) < 1:
        print("jamono keys rotate: --batch-size must be at least 1", file=sys.stderr)
        return 2
    return args.run(args, settings)


if __name__ == "__main__":
    sys.exit(main())
