#!/usr/bin/env python3
"""Only catalog/ speaks SQL to the catalog (docs: DESIGN.md, "Layout").

Fails, naming file and line, when a C++ file outside catalog/, tests/, bench/
and migrations/ uses the catalog's statement API (prepare, Statement,
Transaction, last_insert_id, sqlite3) or holds SQL that names a catalog table
or view. The tables and views are read from migrations/*.sql and catalog/, so
a new table is covered without touching this script. SQL that other rooms send
to PostgreSQL servers (pg_catalog, user checks) names no catalog table and is
not this check's business.

Usage: sql_only_in_catalog.py SOURCE_DIR
"""
import pathlib
import re
import sys

EXEMPT_ROOTS = {"catalog", "tests", "bench", "migrations", "build", ".git", "node_modules"}
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".cc"}

STATEMENT_API = [
    (re.compile(r"\.prepare\s*\("), "prepares a catalog statement"),
    (re.compile(r"\bcatalog::(Statement|Transaction)\b"), "uses the catalog statement API"),
    (re.compile(r"\blast_insert_id\s*\("), "uses the catalog statement API"),
    (re.compile(r"\bsqlite3\w*"), "talks to SQLite directly"),
    (re.compile(r"\b(db|m_db|database|catalog)\s*(\.|->)\s*exec\s*\("), "runs catalog SQL"),
]


def catalog_relations(root: pathlib.Path) -> set:
    names = set()
    pattern = re.compile(r"CREATE\s+(?:TEMP\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)",
                         re.IGNORECASE)
    for path in list((root / "migrations").glob("*.sql")) + list((root / "catalog").glob("*.cpp")):
        names.update(m.group(1) for m in pattern.finditer(path.read_text(errors="replace")))
    return names


def joined_literals(text: str) -> str:
    # "... FROM " "backups": adjacent string literals are one string to the compiler.
    # Each line break joined away stays as a \x01, so line numbers can still be counted.
    return re.sub(r'"\s*\n\s*"', lambda m: "\x01" * m.group(0).count("\n"), text)


def violations(path: pathlib.Path, sql_pattern: re.Pattern):
    text = path.read_text(errors="replace")
    for number, line in enumerate(text.splitlines(), 1):
        code = line.split("//", 1)[0]
        for pattern, what in STATEMENT_API:
            if pattern.search(code):
                yield number, what, line.strip()
    joined = joined_literals(text)
    for literal in re.finditer(r'"(?:[^"\\\n]|\\.)*"', joined):
        match = sql_pattern.search(literal.group(0))
        if match:
            at = literal.start() + match.start()
            number = joined.count("\n", 0, at) + joined.count("\x01", 0, at) + 1
            yield number, "holds SQL naming catalog table '" + match.group(2) + "'", \
                match.group(0).replace("\x01", " ")


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    relations = catalog_relations(root)
    if len(relations) < 5:
        print(f"cannot read the catalog's tables from {root}/migrations: is this the source tree?")
        return 2
    sql_pattern = re.compile(r"\b(FROM|JOIN|INTO|UPDATE|TABLE|EXISTS)[\s\x01]+(" +
                             "|".join(sorted(relations, key=len, reverse=True)) + r")\b")
    found = 0
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
            continue
        if relative.parts[0] in EXEMPT_ROOTS or relative.parts[0].startswith("build"):
            continue
        for number, what, excerpt in violations(path, sql_pattern):
            print(f"{relative}:{number}: {what}: {excerpt}")
            found += 1
    if found:
        print(f"\n{found} place(s) outside catalog/ speak SQL to the catalog: move each into a "
              "typed function in catalog/ that returns a plain struct, and call that instead.")
        return 1
    print(f"ok: no catalog SQL outside catalog/ ({len(relations)} tables and views checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
