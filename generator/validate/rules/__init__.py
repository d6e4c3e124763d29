"""Every module here registers its rules on import; the order is the report order within a file."""
from . import (schema, characters, ids, reserved, dates, urls, markdown, references, translations,  # noqa: F401
               quotes, placeholders, pages, page_links, archives, policy, corrections)
