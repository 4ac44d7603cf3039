"""Bulk import of a property's setup from the spreadsheets people already have (XLSX or one CSV per kind).

``sheets`` names the shapes (sheets, columns, English and Chinese headers), ``read`` turns file bytes into
rows, ``apply`` writes them through the administration service layer inside one transaction (all or nothing)
and collects every problem, ``problems`` words them in the reader's language. ``sync_server.exporter`` writes
the same shapes back.
"""
