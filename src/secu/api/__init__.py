"""The HTTP face: FastAPI application, its routes and dependencies."""
