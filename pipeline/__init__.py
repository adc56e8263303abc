"""funeral-backfill: the domain package, in rooms from the bottom up (scripts/import_graph.py checks the order):

kernel (models, errors, settings, store) < page (one page, scan to routed records) < archive (inventory)
< review (queue, corrections, users) < quality (audit, calibration, refit) < platform (schema, load,
receipts, package, linkage) < crosscheck (other departments' rolls) < runs (stages, management,
completion) < cli. mapping/ and ocr/ sit on the kernel only; flows/ (Prefect) and review_app/
(Streamlit) sit on the rooms. See docs/architecture.md."""

__version__ = "0.1.0"
