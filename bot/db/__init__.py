"""Database: models, repositories, engine and migrations."""
