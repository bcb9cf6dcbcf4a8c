"""Replace reference implementations by stubs, keeping everything else of the module as written.

The ``ast`` module finds what to cut; the cut is made on the text, so that
comments and formatting elsewhere in the module survive. For a function
named in ``stubs``, everything after its docstring (or after its signature
when it has none) becomes

    raise NotImplementedError("you write <name> in notebook NN")

For a class named in ``stubs``, its docstring, class attributes and the
signatures and docstrings of its methods stay, and every method body is
stubbed that way. Module-level private names (``_helper``, ``_TINY``) that
only stubbed bodies used are removed afterwards, repeatedly, since they
would carry the solution; a private name that other modules import stays.

    text = stub_source(source, {"relative_error": "01"})
"""
import ast
import re


class StubError(ValueError):
    """The source cannot be stubbed as asked (a name is missing, or is not a def or class)."""


def stub_message(name, number):
    return f"you write {name} in notebook {number}"


def _docstring_node(node):
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[0]
    return None


def _is_blank_or_comment(line):
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _body_cut(node, lines, message):
    """(first line, last line, replacement), 0-based inclusive, that stub the body of def ``node``."""
    doc = _docstring_node(node)
    rest = node.body[1:] if doc is not None else node.body
    first_stmt = rest[0] if rest else None
    if first_stmt is not None and first_stmt.lineno == node.lineno:
        raise StubError(f"{node.name}: a body on the line of its def cannot be stubbed; put it on its own lines")
    indent = " " * (node.body[0].col_offset)
    line = f'{indent}raise NotImplementedError("{message}")\n'
    if doc is not None:
        start = doc.end_lineno            # 0-based index of the line after the docstring
    else:
        # Comments between the signature and the first statement belong to the body: they go too.
        start = node.body[0].lineno - 1
        while start > node.lineno and _is_blank_or_comment(lines[start - 1]):
            start -= 1
    end = node.end_lineno - 1
    if first_stmt is None:                # docstring only: add the raise after it
        return start, start - 1, line
    return start, end, line


def _apply(lines, cuts):
    """Replace each (first, last, text) span of ``lines``, last span first so indices stay valid."""
    for first, last, text in sorted(cuts, key=lambda cut: cut[0], reverse=True):
        lines[first:last + 1] = [text] if text else []
    return lines


def _stub_bodies(source, stubs):
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    cuts, found = [], set()
    for node in tree.body:
        name = getattr(node, "name", None)
        if isinstance(node, ast.Assign):
            name = next((t.id for t in node.targets if isinstance(t, ast.Name) and t.id in stubs), None)
        if name not in stubs:
            continue
        message = stub_message(name, stubs[name])
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            cuts.append(_body_cut(node, lines, message))
        elif isinstance(node, ast.ClassDef):
            methods = [item for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))]
            cuts.extend(_body_cut(method, lines, message) for method in methods)
        else:
            raise StubError(f"{name} is not a function or a class")
        found.add(name)
    missing = sorted(set(stubs) - found)
    if missing:
        raise StubError(f"no top-level function or class named {', '.join(missing)}")
    return "".join(_apply(lines, cuts))


# ----------------------------------------------------------------------------- private helpers
def _private_definitions(tree):
    """{name: node} of module-level private defs, classes and single-name assignments."""
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            names = [node.targets[0].id]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = [node.target.id]
        else:
            continue
        for name in names:
            if name.startswith("_") and not name.startswith("__"):
                found[name] = node
    return found


def used_names(tree, skip=()):
    """Every identifier the module reads (names, attributes, strings of __all__), outside the nodes in ``skip``."""
    skipped = {id(node) for node in skip}
    used = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            used.add(node.value)
        stack.extend(ast.iter_child_nodes(node))
    return used


def _definition_span(node, lines):
    """0-based (first, last) lines of a definition with its decorators, the comments right above it,
    and the blank lines after it."""
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
    while first > 0 and lines[first - 1].strip().startswith("#"):
        first -= 1
    last = node.end_lineno - 1
    while last + 1 < len(lines) and not lines[last + 1].strip():
        last += 1
    return first, last


def remove_orphans(source, original, keep=()):
    """Remove private module-level names used in ``original`` but no longer used in ``source``.

    ``keep``: private names other modules import, which must stay. Repeats until nothing more goes,
    since removing one helper can orphan the helper it called.
    """
    was_used = used_names(ast.parse(original))
    while True:
        tree = ast.parse(source)
        lines = source.splitlines(keepends=True)
        orphans = [node for name, node in _private_definitions(tree).items()
                   if name in was_used and name not in keep and name not in used_names(tree, skip=[node])]
        if not orphans:
            return source
        cuts = [(*_definition_span(node, lines), "") for node in orphans]
        source = "".join(_apply(lines, cuts))
        # Two definitions apart are separated by two blank lines; removing one between them must not leave four.
        source = re.sub(r"\n{4,}", "\n\n\n", source)


def stub_source(source, stubs, keep=()):
    """``source`` with the functions and classes in ``stubs`` ({name: "NN"}) stubbed, and their orphans gone."""
    if not stubs:
        return source
    stubbed = _stub_bodies(source, stubs)
    return remove_orphans(stubbed, source, keep)
