#!/usr/bin/env python3
"""Generates a project of N `core.data` resources shaped like a platform: layers of 50, each
resource referencing one to three resources of the layer before (deterministic).
With --terraform, the same graph as Terraform `terraform_data` resources (main.tf); with
--terraform-state as well, the terraform.tfstate a `terraform apply` of it writes (Terraform's
apply grows with N squared: over an hour at N=5,000; `terraform plan` on this state must say
"No changes", which bench/vs_terraform.sh checks)."""
import json
import os
import sys
import uuid

WIDTH = 50


def upstream(i):
    layer = i // WIDTH
    if layer == 0:
        return []
    base = (layer - 1) * WIDTH
    return [base + (i * 7 + k * 13) % WIDTH for k in range(1 + i % 3)]


def terraform(n, out):
    lines = [
        'variable "environment" {',
        '  type    = string',
        '  default = "bench"',
        '}',
        '',
        'locals {',
        '  prefix = "b-${var.environment}"',
        '}',
        '',
    ]
    for i in range(n):
        deps = ", ".join(f"terraform_data.r{j}.output.name" for j in upstream(i))
        lines.append(f'resource "terraform_data" "r{i}" {{')
        lines.append(
            f'  input = {{ name = "${{local.prefix}}-{i}", layer = {i // WIDTH}, upstream = [{deps}] }}'
        )
        lines.append("}")
    lines.append("")
    lines.append(f'output "last" {{\n  value = terraform_data.r{n - 1}.output.name\n}}')
    with open(os.path.join(out, "main.tf"), "w") as f:
        f.write("\n".join(lines) + "\n")


def terraform_state(n, out):
    def attribute(value, ups):
        shape = ["object", {"layer": "number", "name": "string",
                            "upstream": ["tuple", ["string"] * len(ups)]}]
        return {"value": value, "type": shape}

    resources = []
    for i in range(n):
        ups = upstream(i)
        value = {"layer": i // WIDTH, "name": f"b-bench-{i}", "upstream": [f"b-bench-{j}" for j in ups]}
        instance = {
            "schema_version": 0,
            "attributes": {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"infra-bench-{i}")),
                "input": attribute(value, ups),
                "output": attribute(value, ups),
                "triggers_replace": None,
            },
            "sensitive_attributes": [],
        }
        if ups:
            instance["dependencies"] = sorted(f"terraform_data.r{j}" for j in ups)
        resources.append({
            "mode": "managed",
            "type": "terraform_data",
            "name": f"r{i}",
            "provider": 'provider["terraform.io/builtin/terraform"]',
            "instances": [instance],
        })
    resources.sort(key=lambda r: r["name"])
    state = {
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": 1,
        "lineage": str(uuid.uuid5(uuid.NAMESPACE_URL, f"infra-bench-lineage-{n}")),
        "outputs": {"last": {"value": f"b-bench-{n - 1}", "type": "string"}},
        "resources": resources,
        "check_results": None,
    }
    with open(os.path.join(out, "terraform.tfstate"), "w") as f:
        json.dump(state, f, indent=2)
        f.write("\n")


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    if "--terraform" in sys.argv[3:] or "--terraform-state" in sys.argv[3:]:
        terraform(n, out)
        if "--terraform-state" in sys.argv[3:]:
            terraform_state(n, out)
        return
    lines = [
        "param environment: string = \"bench\"",
        "let prefix = \"b-${environment}\"",
        "",
    ]
    for i in range(n):
        layer = i // WIDTH
        deps = ", ".join(f"r{j}.output.name" for j in upstream(i))
        lines.append(f"resource r{i}: core.data {{")
        lines.append(f"  input = {{ name = \"${{prefix}}-{i}\", layer = {layer}, upstream = [{deps}] }}")
        lines.append("}")
    lines.append("")
    lines.append(f"output last = r{n - 1}.output.name")
    with open(os.path.join(out, "main.infra"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "local.infra"), "w") as f:
        f.write("environment local {\n  params = { environment = \"bench\" }\n}\n")

main()
