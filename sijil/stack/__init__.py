"""The local service stack (Elasticsearch with sijil's plugin, MinIO, Prefect, veraPDF),
provisioned and run without Docker. See manage.py for the entry points."""
