#!/usr/bin/env python3
"""Generates a project of N `core.data` resources shaped like a platform: layers of 50, each
resource referencing one to three resources of the layer before (deterministic).
With --terraform, the same graph as Terraform `terraform_data` resources (main.tf)."""
import os
import sys

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


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    if "--terraform" in sys.argv[3:]:
        terraform(n, out)
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
