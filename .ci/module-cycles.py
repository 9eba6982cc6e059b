#!/usr/bin/env python3
"""Fails when modules of one crate import each other in a circle.

Every `.rs` file under `crates/*/src` is a module (`a/mod.rs` is `a`). A module depends on
another when its non-test code names it through `crate::…` or `super::…` (also inside
`use crate::{…}` groups). A module naming one of its own ancestors is not counted: a child
may use what its parent defines. Inline `#[cfg(test)] mod tests` blocks are ignored: unit
tests may import freely. Reads paths as text, so it is a guard, not a compiler."""
import os
import re
import sys

CRATE_PATH = re.compile(r"\bcrate::((?:[a-z_][a-z0-9_]*::)*[A-Za-z_][A-Za-z0-9_]*)")
SUPER_PATH = re.compile(r"\bsuper::((?:[a-z_][a-z0-9_]*::)*[A-Za-z_][A-Za-z0-9_]*)")
CRATE_GROUP = re.compile(r"use\s+crate::\{([^;]*)\};", re.S)
TEST_BLOCK = re.compile(r"#\[cfg\(test\)\]\s*mod\s+tests\s*\{")


def crate_modules(src):
    modules = {}
    for folder, _, names in os.walk(src):
        for name in names:
            if name.endswith(".rs"):
                parts = os.path.relpath(os.path.join(folder, name), src)[:-3].split(os.sep)
                if parts[-1] in ("mod", "lib", "main"):
                    parts.pop()
                modules[tuple(parts)] = os.path.join(folder, name)
    return modules


def owner(modules, path):
    for length in range(len(path), 0, -1):
        if tuple(path[:length]) in modules:
            return tuple(path[:length])
    return None


def dependencies(modules):
    graph = {}
    for module, file in modules.items():
        text = open(file, encoding="utf-8", errors="replace").read()
        text = TEST_BLOCK.split(text)[0]
        paths = [p.split("::") for p in CRATE_PATH.findall(text)]
        paths += [list(module[:-1]) + p.split("::") for p in SUPER_PATH.findall(text)]
        for group in CRATE_GROUP.findall(text):
            for item in re.split(r",\s*(?![^{]*\})", group):
                head = re.split(r"[{}\s]", item.strip())[0]
                if head:
                    paths.append(head.split("::"))
        targets = set()
        for path in paths:
            target = owner(modules, path)
            if target and target != module and module[: len(target)] != target:
                targets.add(target)
        graph[module] = targets
    return graph


def circles(graph):
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter[0]
                counter[0] += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "crates"
    failed = False
    for crate in sorted(os.listdir(root)):
        src = os.path.join(root, crate, "src")
        if not os.path.isdir(src):
            continue
        graph = dependencies(crate_modules(src))
        for component in circles(graph):
            failed = True
            names = ["::".join(m) for m in component]
            print(f"{crate}: modules import each other in a circle: {', '.join(names)}")
            for module in component:
                for target in sorted(graph[module] & set(component)):
                    print(f"    {'::'.join(module)} -> {'::'.join(target)}")
    if not failed:
        print("no circles")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
