"""Statistics: the figures for leadership (/stats/) and the public (/transparency/).

    figures   every figure as one aggregate query or a few (compute), and the page's filter
    tables    the tables a page shows and the exports write
    charts    server-rendered SVG charts
    exports   a table as CSV or XLSX
    views     the pages and their exports; urls wires them under the "stats" namespace
"""
