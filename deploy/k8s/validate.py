"""Validate rendered manifests (`kubectl kustomize …`) against real schemas; exit 1 on any error.

* Kubernetes' own kinds: kubernetes-validate, which ships the JSON schemas of every Kubernetes
  release, in strict mode (an unknown field is an error).
* The CRDs the base uses — KEDA's ScaledObject and TriggerAuthentication, the Prometheus
  Operator's ServiceMonitor — are not in those schemas: they are checked against the pydantic
  models cloudcoil generates from those projects' CRDs, and strictly too (a field the model does
  not know disappears in a round trip, and is reported).
* Any other kind is an error: nothing goes unchecked silently.

    kubectl kustomize deploy/k8s/overlays/production | python deploy/k8s/validate.py -
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml


def crd_models() -> dict[tuple[str, str], Any]:
    from cloudcoil.models.keda import v1alpha1 as keda
    from cloudcoil.models.prometheus_operator import v1 as monitoring

    return {
        ("keda.sh/v1alpha1", "ScaledObject"): keda.ScaledObject,
        ("keda.sh/v1alpha1", "TriggerAuthentication"): keda.TriggerAuthentication,
        ("monitoring.coreos.com/v1", "ServiceMonitor"): monitoring.ServiceMonitor,
    }


def unknown_fields(given: Any, kept: Any, path: str = "") -> list[str]:
    """Keys in `given` that the model's round trip dropped: fields the schema does not have."""
    if isinstance(given, dict) and isinstance(kept, dict):
        lost = [f"{path}.{k}".lstrip(".") for k in given if k not in kept]
        return lost + [p for k in given if k in kept for p in unknown_fields(given[k], kept[k], f"{path}.{k}")]
    if isinstance(given, list) and isinstance(kept, list):
        return [
            p for i, (g, k) in enumerate(zip(given, kept, strict=False)) for p in unknown_fields(g, k, f"{path}[{i}]")
        ]
    return []


def check(doc: dict, version: str, models: dict) -> str | None:
    """None when valid, else why not."""
    import kubernetes_validate
    from pydantic import ValidationError

    key = (doc.get("apiVersion", ""), doc.get("kind", ""))
    model = models.get(key)
    if model is not None:
        try:
            parsed = model.model_validate(doc)
        except ValidationError as exc:
            return str(exc)
        lost = unknown_fields(doc, parsed.model_dump(by_alias=True, exclude_unset=True, mode="json"))
        return f"unknown fields: {', '.join(lost)}" if lost else None
    try:
        kubernetes_validate.validate(doc, version, strict=True)
    except kubernetes_validate.SchemaNotFoundError:
        return f"no schema for {key[1]} {key[0]}"
    except kubernetes_validate.ValidationError as exc:
        return f"{exc.message} at {'.'.join(str(p) for p in exc.path)}"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", help="YAML files ('-' for standard input)")
    parser.add_argument("-k", "--kubernetes-version", default="1.33.0")
    args = parser.parse_args()
    models = crd_models()
    failures = total = 0
    for name in args.files:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        for doc in yaml.safe_load_all(text):
            if not doc:
                continue
            total += 1
            what = f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
            problem = check(doc, args.kubernetes_version, models)
            source = (
                "CRD model"
                if (doc.get("apiVersion"), doc.get("kind")) in models
                else f"Kubernetes {args.kubernetes_version}"
            )
            print(f"{'FAIL' if problem else 'ok  '} {what} ({source}){': ' + problem if problem else ''}")
            failures += bool(problem)
    print(f"{total - failures} valid, {failures} invalid")
    return 1 if failures or not total else 0


if __name__ == "__main__":
    sys.exit(main())
