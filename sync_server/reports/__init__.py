"""Printable reports: the record of one work order for the owner's file and the period report, drawn with fpdf2.

Every sentence comes from the catalogs in the reader's language; the CJK font of the labels draws all four.
"""
