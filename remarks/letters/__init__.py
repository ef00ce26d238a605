"""The official paper trail: receipts of filed remarks, letters of official responses, and
their public verification. `snapshot` fixes what they say when they are issued, `render`
turns a snapshot into a PDF (the worker, once), `verify` answers /verify/."""
