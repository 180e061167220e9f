"""Trade records in and out: file formats, and (later) the shipment contract's typed rows."""

from precursorwatch.records.files import FORMATS, format_of, read_table, replacing, write_table
from precursorwatch.records.ftm import read_entities

__all__ = ["FORMATS", "format_of", "read_entities", "read_table", "replacing", "write_table"]
