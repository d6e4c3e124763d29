"""Limits on what one content file may hold; the editors' guide documents them.

They keep a pasted or hostile file from exhausting memory or time: a real
claim is a few kB, a long article well under 200 kB.
"""
MAX_YAML_BYTES = 512 * 1024
MAX_TEXT_BYTES = 2 * 1024 * 1024
# Nodes built from one YAML document, counting each alias expansion again:
# bounds "billion laughs" documents in time and memory.
MAX_NODES = 20_000
MAX_DEPTH = 40
# Markdown (explanations, pages): blockquotes and lists nested at most this deep. markdown-it stops at
# MARKDOWN_MAX_NESTING token levels and silently drops the rest of the text; a list costs two levels
# (the list, the item), a blockquote one, and a paragraph and its text two more. The renderer uses
# this maxNesting, and it leaves room for one container more than allowed, so the validator sees it.
MAX_MARKDOWN_DEPTH = 8
MARKDOWN_MAX_NESTING = 2 * (MAX_MARKDOWN_DEPTH + 1) + 2
