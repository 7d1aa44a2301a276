"""Documentation generated from the code: the rules reference (``converters.docs.rules``).

It sits above ``rules``, ``plan`` and ``codegen`` (it converts each rule's example to show its output), so it
lives outside ``converters/rules/``, whose modules are discovered as rules.
"""
