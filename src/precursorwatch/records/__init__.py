"""Trade records in and out: file formats, and (later) the shipment contract's typed rows."""

from precursorwatch.records.files import FORMATS, format_of, read_table, replacing, write_table

__all__ = ["FORMATS", "format_of", "read_table", "replacing", "write_table"]
