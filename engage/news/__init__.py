"""News items: written in Markdown, published now or at a set time."""
