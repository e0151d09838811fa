"""`jamono kb ingest|list|search|remove` against a real workspace, as an operator runs it."""

from __future__ import annotations

from jamono.cli.kb import main as kb_main


def test_operator_ingests_lists_searches_and_removes(e2e_settings, workspace, tmp_path, capsys):
    docs = tmp_path / "runbooks"
    docs.mkdir()
    (docs / "vault.md").write_text(
        "---\ntitle: Vault — unsealing after a restart\ntags: [vault]\nlang: en\n---\n"
        "## Unseal\n\nRun `vault operator unseal` three times with three different key shares.\n",
        encoding="utf-8",
    )
    (docs / "notes.bin").write_bytes(b"\x00\x01")  # not a supported document: ignored
    team = ["--team", workspace.team_id]

    assert kb_main(["ingest", str(docs), *team]) == 0
    assert "1 added" in capsys.readouterr().out
    assert kb_main(["ingest", str(docs), *team]) == 0
    assert "1 unchanged" in capsys.readouterr().out, "re-ingesting unchanged content costs nothing"

    assert kb_main(["list", *team]) == 0
    listing = capsys.readouterr().out
    assert "Vault — unsealing after a restart" in listing and "1 documents" in listing

    assert kb_main(["search", "how", "do", "I", "unseal", "vault", *team]) == 0
    assert "1. Vault — unsealing after a restart" in capsys.readouterr().out

    source = next(line.split()[-1] for line in listing.splitlines() if "vault.md" in line)
    assert kb_main(["remove", source, *team]) == 0
    assert kb_main(["remove", source, *team]) == 1
    assert kb_main(["ingest", str(tmp_path / "missing"), *team]) == 2
