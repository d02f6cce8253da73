"""Use cases that combine the study logic with the database, shared by pages and the JSON API."""
