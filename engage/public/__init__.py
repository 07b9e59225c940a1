"""The home page and the site's fixed pages."""
