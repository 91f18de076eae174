"""Views of the project package: shared base views and the core's own pages."""
