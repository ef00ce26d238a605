"""Statistics: the figures for leadership (/stats/) and the public (/transparency/).

    models    the facts: insert-only tables written with each history event
    facts     the facts of a remark's history: written by the services, rebuilt on demand
    rollup    the hourly compaction (day rows, checkpoints) and the rows each sum reads
    figures   every figure summed from the facts (no cache), and the page's filter
    authors   the commissioners' table, from facts of its own
    tables    the tables a page shows and the exports write
    charts    server-rendered SVG charts
    exports   a table as CSV or XLSX
    views     the pages and their exports; urls wires them under the "stats" namespace
"""
