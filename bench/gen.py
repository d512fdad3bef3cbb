#!/usr/bin/env python3
"""Generates a project of N `core.data` resources shaped like a platform: layers of 50, each
resource referencing one to three resources of the layer before (deterministic)."""
import os
import sys

def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    width = 50
    lines = [
        "param environment: string = \"bench\"",
        "let prefix = \"b-${environment}\"",
        "",
    ]
    for i in range(n):
        layer = i // width
        refs = []
        if layer > 0:
            base = (layer - 1) * width
            for k in range(1 + i % 3):
                refs.append(f"r{base + (i * 7 + k * 13) % width}.output.name")
        deps = ", ".join(refs)
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
