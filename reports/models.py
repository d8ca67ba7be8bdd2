"""Reports keep no tables of their own yet; PDF and Excel output live in reports.services."""
