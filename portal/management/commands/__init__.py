"""Management commands of the project package (`seed_demo`, `issue_api_token`)."""
