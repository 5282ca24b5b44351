"""What scanning stations produce, turned into a checked ``Batch``.

- ``scanners.manifest``: ``batch.toml`` → ``Manifest`` (strict; ``ManifestError`` lists every problem).
- ``scanners.batch``: ``open_batch(folder, limits=InputLimits())`` → ``Batch`` (accepted / rejected files).
- ``scanners.formats``: magic bytes, container structure, libvips decoding, pdfinfo.
- ``scanners.watch``: hot folder, ``scan_ready_batches``.
- ``scanners.messages``: every operator-facing sentence, French and English.

Nothing is imported here, so the watcher does not load libvips.
"""
