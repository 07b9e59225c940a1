"""People who run the site: admins and organisers."""
